"""Who the customer is, and whether we know it for sure.

A customer counts as verified when the channel vouched for them (the web
widget's signed token, a linked Telegram account: the gateway passes
``customer_id`` and ``verified`` in the message metadata, signed with the
internal secret, bot/signing.py), or when they proved ownership of an order in
this conversation (the ``verified`` slot). Identity metadata without the
gateway's signature is a forgery: it is logged and the customer is anonymous.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from bot.signing import identity_is_vouched, internal_secret

logger = logging.getLogger(__name__)

PHONE_DIGITS = re.compile(r"\D")


@dataclass(frozen=True)
class Identity:
    customer_id: int | None
    verified: bool
    channel: str
    channel_user_id: str | None


def metadata(tracker: Tracker) -> dict[str, Any]:
    latest = tracker.latest_message.get("metadata") or {}
    if latest:
        return latest
    # Rasa keeps the metadata of the message that started the session in this slot.
    return tracker.get_slot("session_started_metadata") or {}


def identity(tracker: Tracker) -> Identity:
    meta = metadata(tracker)
    channel = str(meta.get("channel") or "rest")
    channel_user_id = meta.get("channel_user_id")
    if tracker.get_slot("verified") and tracker.get_slot("customer_id") is not None:
        return Identity(int(tracker.get_slot("customer_id")), True, channel, channel_user_id)
    customer_id = meta.get("customer_id")
    if customer_id is not None and meta.get("verified") is True:
        if identity_is_vouched(internal_secret(), meta):
            return Identity(int(customer_id), True, channel, channel_user_id)
        logger.warning(
            "conversation %s: identity metadata claims customer %s without the gateway's signature; treated as anonymous",
            tracker.sender_id,
            customer_id,
        )
    return Identity(None, False, channel, channel_user_id)


def phone_forms(value: str) -> set[str]:
    """The number's digits, and without a leading country code: '+1 (503) 555-0100' is also '5035550100',
    '+86 138 0013 8000' is also '13800138000'. Eleven digits starting with 1 keep both forms: they are a
    US number with its +1 or a Chinese mobile number (13800138000 once became 3800138000 and matched nothing)."""
    digits = PHONE_DIGITS.sub("", value)
    forms = {digits}
    if len(digits) == 11 and digits.startswith("1"):
        forms.add(digits[1:])  # US / Canada: +1 and a 10-digit number
    if len(digits) == 13 and digits.startswith("86"):
        forms.add(digits[2:])  # China: +86 and an 11-digit mobile number
    return forms


def matches_contact(proof: str, email: str | None, phone: str | None) -> bool:
    proof = proof.strip()
    if "@" in proof:
        return bool(email) and proof.lower() == (email or "").lower()
    given = phone_forms(proof)
    return max(map(len, given)) >= 7 and bool(phone) and bool(given & phone_forms(phone or ""))
