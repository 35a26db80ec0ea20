"""Webhook updates: anything Telegram (or someone posing as it) sends is an update or a 400 naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot, Update

from handoff.channels.telegram.formatting import parse_callback_data
from handoff.channels.telegram.updates import parse_update
from handoff.errors import InvalidMessage
from tests.fuzzing import FUZZ, json_values, with_some_of

BOT = Bot("123:TOKEN")  # builds objects only; nothing here reaches the network
USER = {"id": 7, "is_bot": False, "first_name": "Maria"}
CHAT = {"id": 7, "type": "private", "first_name": "Maria"}
MESSAGE = {"message_id": 1, "date": 1_700_000_000, "chat": CHAT, "from": USER, "text": "where is my order?"}
TEXT = {"update_id": 10, "message": MESSAGE}
CONTACT = {
    "update_id": 11,
    "message": {**MESSAGE, "text": None, "contact": {"phone_number": "+15550100", "first_name": "Maria", "user_id": 7}},
}
BUTTON = {
    "update_id": 12,
    "callback_query": {"id": "cbq-1", "from": USER, "chat_instance": "42", "data": "b:3:0", "message": MESSAGE},
}


@pytest.mark.parametrize("update", [TEXT, CONTACT, BUTTON])
def test_the_updates_the_channel_handles_parse(update: dict[str, Any]) -> None:
    assert isinstance(parse_update(update, BOT), Update)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        # Each of these raised AttributeError, KeyError, TypeError or OverflowError out of the webhook (a 500),
        # or passed and failed later inside the handler ("text": 5).
        ([], "update must be an object"),
        ({}, "update.update_id"),
        ({"update_id": "a"}, "update.update_id"),
        ({"update_id": 1, "message": "x"}, "message must be an object"),
        ({"update_id": 1, "message": {"chat": 5}}, "message.message_id"),
        ({"update_id": 1, "message": {**MESSAGE, "date": "x"}}, "message.date"),
        ({"update_id": 1, "message": {**MESSAGE, "date": 10**20}}, "message.date"),
        ({"update_id": 1, "message": {**MESSAGE, "text": 5}}, "message.text"),
        ({"update_id": 1, "message": {**MESSAGE, "chat": {"id": "7", "type": "private"}}}, "message.chat.id"),
        ({"update_id": 1, "callback_query": {"id": 1}}, "callback_query.id"),
        ({"update_id": 1, "callback_query": {**BUTTON["callback_query"], "from": None}}, "callback_query.from"),
        ({"update_id": 1, "message": {**MESSAGE, "entities": "bold"}}, "not a Telegram update"),
    ],
)
def test_a_bad_update_names_what_is_wrong(body: Any, field: str) -> None:
    with pytest.raises(InvalidMessage, match=field.replace(".", r"\.")):
        parse_update(body, BOT)


def _mutations(update: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The update with fields kept, replaced by anything, or nested parts mutated in turn."""
    message = with_some_of({**MESSAGE, "chat": with_some_of(CHAT), "from": with_some_of(USER)})
    known: dict[str, Any] = dict(update)
    if "message" in known:
        known["message"] = st.one_of(message, with_some_of(update["message"]))
    if "callback_query" in known:
        known["callback_query"] = with_some_of({**update["callback_query"], "message": message})
    return with_some_of(known)


updates = st.one_of(_mutations(TEXT), _mutations(CONTACT), _mutations(BUTTON), json_values)


@FUZZ
@given(updates)
def test_any_body_is_an_update_the_channel_can_read_or_a_named_error(body: Any) -> None:
    try:
        update = parse_update(body, BOT)
    except InvalidMessage as error:
        assert error.message
        return
    # What handoff.channels.telegram.channel reads of an update it accepted.
    if update.message is not None:
        assert isinstance(update.message.chat.id, int) and isinstance(update.message.chat.type, str)
        (update.message.text or "").strip()
        if update.message.contact is not None:
            assert isinstance(update.message.contact.phone_number, str)
    if update.callback_query is not None:
        parse_callback_data(update.callback_query.data)
        assert update.callback_query.from_user is not None
    if update.effective_user is not None:
        assert isinstance(update.effective_user.full_name, str)
