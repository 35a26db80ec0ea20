import pytest

from handoff.errors import InvalidMessage
from handoff.schemas import parse_customer_message, parse_hello


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
