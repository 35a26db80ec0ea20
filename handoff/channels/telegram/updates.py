"""Telegram updates from the webhook, checked before python-telegram-bot builds them.

python-telegram-bot trusts what it is given: a string where an object belongs raises AttributeError,
a huge date OverflowError, and a text that is a number passes and fails later, inside the handler,
where the update is dropped with a stack trace. Here every field the channel reads is checked and a
bad one named, so the webhook answers 400 and says which.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, Update

from handoff.errors import InvalidMessage

MAX_DATE = 2**40  # seconds since 1970: Telegram's are 32-bit; far beyond that is not a date


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidMessage(f"{where} must be an object")
    return value


def _field(value: dict[str, Any], name: str, kind: type, where: str, required: bool = True) -> None:
    item = value.get(name)
    if item is None and not required:
        return
    if not isinstance(item, kind) or isinstance(item, bool):
        raise InvalidMessage(f"{where}.{name} must be {'an integer' if kind is int else 'a string'}")


def _user(value: Any, where: str) -> None:
    user = _object(value, where)
    _field(user, "id", int, where)
    _field(user, "first_name", str, where)


def _message(value: Any, where: str) -> None:
    message = _object(value, where)
    _field(message, "message_id", int, where)
    _field(message, "date", int, where)
    if not 0 <= message["date"] < MAX_DATE:
        raise InvalidMessage(f"{where}.date is not a time")
    chat = _object(message.get("chat"), f"{where}.chat")
    _field(chat, "id", int, f"{where}.chat")
    _field(chat, "type", str, f"{where}.chat")
    if message.get("from") is not None:
        _user(message["from"], f"{where}.from")
    _field(message, "text", str, where, required=False)
    if message.get("contact") is not None:
        contact = _object(message["contact"], f"{where}.contact")
        _field(contact, "phone_number", str, f"{where}.contact")
        _field(contact, "first_name", str, f"{where}.contact")
        _field(contact, "user_id", int, f"{where}.contact", required=False)


def parse_update(body: Any, bot: Bot) -> Update:
    """The update in ``body``, or InvalidMessage naming the field that is wrong."""
    update = _object(body, "update")
    _field(update, "update_id", int, "update")
    if update["update_id"] < 0:
        raise InvalidMessage("update.update_id must not be negative")
    if update.get("message") is not None:
        _message(update["message"], "message")
    if update.get("callback_query") is not None:
        query = _object(update["callback_query"], "callback_query")
        _field(query, "id", str, "callback_query")
        _field(query, "chat_instance", str, "callback_query")
        _field(query, "data", str, "callback_query", required=False)
        _user(query.get("from"), "callback_query.from")
        if query.get("message") is not None:
            _message(query["message"], "callback_query.message")
    try:
        parsed = Update.de_json(update, bot)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as error:
        # A field the channel never reads (entities, photos, ...) with the wrong shape.
        raise InvalidMessage(f"update is not a Telegram update ({type(error).__name__}: {error})") from None
    if parsed is None:
        raise InvalidMessage("update is empty")
    return parsed


__all__ = ["parse_update"]
