"""Wire formats of the web chat, validated at the edge: bad input gets a message naming the field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypedDict

from handoff.errors import InvalidMessage
from knowledge_base.language import LANGUAGES

MAX_TEXT = 2000
MAX_PAYLOAD = 500
MAX_FRAME_BYTES = 16 * 1024
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# Quick-reply payloads are Rasa intents with optional JSON entities: '/intent' or '/intent{"k":"v"}'.
PAYLOAD = re.compile(r"^/[a-z_]{1,64}(\{[^{}]{0,400}\})?$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class OutboundMessage(TypedDict):
    type: str
    id: int
    sender: str
    text: str | None
    buttons: list[dict[str, str]]
    at: str
    client_id: str | None
    agent_name: str | None


@dataclass(frozen=True)
class Hello:
    session_id: str | None
    customer_token: str | None
    last_message_id: int | None


@dataclass(frozen=True)
class CustomerMessage:
    client_id: str
    text: str
    payload: str | None
    language: str | None = None  # chosen by the customer in the widget: answer in it from now on


def _optional_str(
    frame: dict[str, Any], name: str, pattern: re.Pattern[str] | None = None, max_length: int = 200
) -> str | None:
    value = frame.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > max_length or (pattern is not None and not pattern.match(value)):
        raise InvalidMessage(f"{name} is not valid")
    return value


def _storable(text: str) -> bool:
    """False for half a surrogate pair ("\\ud800" in JSON), which no database stores: the message would be lost."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_hello(frame: dict[str, Any]) -> Hello:
    last = frame.get("last_message_id")
    if last is not None and (not isinstance(last, int) or isinstance(last, bool) or last < 0):
        raise InvalidMessage("last_message_id must be a non-negative integer")
    return Hello(
        session_id=_optional_str(frame, "session_id", SESSION_ID, 64),
        customer_token=_optional_str(frame, "customer_token", None, 200),
        last_message_id=last,
    )


def parse_customer_message(frame: dict[str, Any]) -> CustomerMessage:
    client_id = frame.get("client_id")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise InvalidMessage("client_id must be 8-64 letters, digits, '-' or '_'")
    text = frame.get("text")
    if not isinstance(text, str):
        raise InvalidMessage("text must be a string")
    text = CONTROL.sub("", text).strip()
    if not _storable(text):
        raise InvalidMessage("text has characters that are not valid Unicode")
    if not text:
        raise InvalidMessage("text is empty")
    if len(text) > MAX_TEXT:
        raise InvalidMessage(f"That message is {len(text)} characters long; it can be at most {MAX_TEXT} characters.")
    payload = frame.get("payload")
    if payload is not None and (
        not isinstance(payload, str)
        or len(payload) > MAX_PAYLOAD
        or not PAYLOAD.match(payload)
        or not _storable(payload)
    ):
        raise InvalidMessage("payload is not a valid quick-reply payload")
    language = frame.get("language")
    if language is not None and language not in LANGUAGES:
        raise InvalidMessage(f"language must be one of {', '.join(LANGUAGES)}")
    return CustomerMessage(client_id=client_id, text=text, payload=payload, language=language)
