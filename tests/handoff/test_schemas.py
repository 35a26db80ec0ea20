import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handoff.channels.web.chat import _parse_frame
from handoff.errors import InvalidMessage
from handoff.schemas import MAX_TEXT, SESSION_ID, parse_customer_message, parse_hello
from tests.fuzzing import FUZZ, chat_frames, json_values


def test_a_good_message_is_cleaned_of_control_characters() -> None:
    message = parse_customer_message(
        {"client_id": "abcdefgh", "text": "  hi\x00 there \x07", "payload": '/rate{"rating":"5"}'}
    )
    assert message.text == "hi there" and message.payload == '/rate{"rating":"5"}'


@pytest.mark.parametrize(
    ("frame", "field"),
    [
        ({"client_id": "short", "text": "hi"}, "client_id"),
        ({"client_id": "abcdefgh", "text": 5}, "text"),
        ({"client_id": "abcdefgh", "text": "   "}, "text is empty"),
        ({"client_id": "abcdefgh", "text": "x" * 2001}, "at most 2000"),
        ({"client_id": "abcdefgh", "text": "hi", "payload": "/restart; rm -rf"}, "payload"),
        ({"client_id": "abcdefgh", "text": "hi", "payload": '/a{"x":{"nested":1}}'}, "payload"),
    ],
)
def test_bad_messages_name_the_field(frame: dict, field: str) -> None:
    with pytest.raises(InvalidMessage, match=field):
        parse_customer_message(frame)


def test_hello_validates_session_and_last_id() -> None:
    assert parse_hello({"session_id": None}).session_id is None
    with pytest.raises(InvalidMessage, match="session_id"):
        parse_hello({"session_id": "../../etc/passwd"})
    with pytest.raises(InvalidMessage, match="last_message_id"):
        parse_hello({"last_message_id": -1})


@pytest.mark.parametrize(
    ("frame", "field"),
    [
        # Half a surrogate pair passed, then the database refused to store it and the message was lost.
        ({"client_id": "abcdefgh", "text": "hi \ud800"}, "text has characters"),
        ({"client_id": "abcdefgh", "text": "hi", "payload": '/a{"x":"\udfff"}'}, "payload"),
    ],
)
def test_text_no_database_can_store_is_refused(frame: dict, field: str) -> None:
    with pytest.raises(InvalidMessage, match=field):
        parse_customer_message(frame)


@FUZZ
@given(chat_frames)
def test_any_frame_is_a_message_or_a_named_error(frame: Any) -> None:
    if not isinstance(frame, dict):
        return  # the web chat refuses anything but an object before these parsers (test below)
    try:
        message = parse_customer_message(frame)
    except InvalidMessage as error:
        assert error.message
    else:
        assert message.text and len(message.text) <= MAX_TEXT
        message.text.encode("utf-8")
    try:
        hello = parse_hello(frame)
    except InvalidMessage as error:
        assert error.message
    else:
        assert hello.session_id is None or SESSION_ID.match(hello.session_id)


@FUZZ
@given(st.one_of(st.text(max_size=300), json_values.map(json.dumps), chat_frames.map(json.dumps)))
def test_any_websocket_text_is_a_frame_or_a_named_error(raw: str) -> None:
    try:
        frame = _parse_frame(raw)
    except InvalidMessage as error:
        assert error.message
    else:
        assert isinstance(frame, dict) and isinstance(frame["type"], str)


def test_a_deeply_nested_frame_is_a_named_error() -> None:
    with pytest.raises(InvalidMessage):
        _parse_frame('{"type": "message", "text": ' + "[" * 5000 + "]" * 5000 + "}")
