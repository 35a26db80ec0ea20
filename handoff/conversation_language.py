"""The language a conversation is answered in, decided afresh from each customer message.

The customer's own choice in the widget wins for the rest of the conversation; otherwise each message
that says something (knowledge_base.language.detect) sets the language, and one that says nothing
(an order number, "👍") keeps it. Telegram's ``language_code`` is the first hint, before any message.
A customer whose last two Chinese messages were in Traditional characters is answered in Traditional.
Deciding again for the same message (a retried turn) gives the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crm_store.models import Conversation, Message
from knowledge_base.language import CHINESE, DEFAULT_LANGUAGE, LANGUAGES, detect

TRADITIONAL_AFTER = 2  # Chinese messages in a row in Traditional before answers follow the customer's script
CHOSEN_KEY = "language"  # in a customer message's payload: the language chosen in the widget


@dataclass(frozen=True)
class TurnLanguage:
    language: str
    traditional: bool = False  # answer in Traditional characters

    def metadata(self) -> dict[str, Any]:
        """What Rasa and the actions get: the language to answer in."""
        return {"language": self.language, "traditional": self.traditional}


def decide(conversation: Conversation, message: Message) -> str:
    """The language to answer ``message`` in; updates the conversation (in the caller's transaction)."""
    payload = message.payload or {}
    chosen = payload.get(CHOSEN_KEY)
    if chosen in LANGUAGES:
        conversation.language, conversation.language_chosen = chosen, True
    if payload.get("quick_reply"):
        # A button pressed (or Telegram's /start): its title is ours, not the customer's writing.
        return str(conversation.language or DEFAULT_LANGUAGE)
    detected = detect(message.text or "")
    if detected.language is not None and not conversation.language_chosen:
        conversation.language = detected.language
    return str(conversation.language or DEFAULT_LANGUAGE)


def writes_traditional(newest_first: Sequence[Message]) -> bool:
    """Whether the customer's latest Chinese messages (TRADITIONAL_AFTER of them) were all in Traditional."""
    chinese = [found for m in newest_first if (found := detect(m.text or "")).language == CHINESE]
    latest = chinese[:TRADITIONAL_AFTER]
    return len(latest) == TRADITIONAL_AFTER and all(found.traditional for found in latest)


__all__ = ["CHOSEN_KEY", "TRADITIONAL_AFTER", "TurnLanguage", "decide", "writes_traditional"]
