"""Build a rasa-sdk Tracker by hand, as the action server would receive it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from bot.signing import sign_identity

# The internal secret the action tests run with (tests/actions/conftest.py puts it in the environment).
TEST_SECRET = "test-internal-secret-" + "0" * 32


def make_tracker(
    text: str,
    intent: str,
    *,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    previous_texts: tuple[str, ...] = (),
    sender: str = "conversation-under-test",
    active_loop: str | None = None,
    requested_slot: str | None = None,
    signed: bool = True,
    parsed: dict[str, Any] | None = None,
) -> Tracker:
    """``metadata`` is signed as the gateway signs it, unless ``signed`` is False (a forgery).

    ``parsed`` adds to the latest message's parse data what the NLU would (e.g. its sentence vector).
    """
    if metadata and signed:
        metadata = sign_identity(TEST_SECRET, metadata)
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "intent_ranking": [{"name": intent, "confidence": 0.99}],
        "entities": entities or [],
        "metadata": metadata or {},
        **(parsed or {}),
    }
    events = [{"event": "user", "text": previous, "parse_data": {}} for previous in previous_texts]
    events.append({"event": "user", "text": text, "parse_data": latest})
    all_slots = {"verified": False, "proof_attempts": 0.0, **(slots or {})}
    if requested_slot:
        all_slots["requested_slot"] = requested_slot
    return Tracker(
        sender,
        all_slots,
        latest,
        events,
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )
