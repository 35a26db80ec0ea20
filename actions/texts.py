"""What the actions say, in the conversation's language, from the one catalogue of the bot's words
(knowledge_base.catalogue: bot/domain.yml's responses, with a Chinese variation each)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from knowledge_base import catalogue
from knowledge_base.language import DEFAULT_LANGUAGE, LANGUAGES


def language_of(tracker: Tracker) -> str:
    language = tracker.get_slot(catalogue.LANGUAGE_SLOT)
    return str(language) if language in LANGUAGES else DEFAULT_LANGUAGE


def text(domain: dict[str, Any], response: str, language: str, **values: Any) -> str:
    """The response's text; the domain Rasa sent comes first, bot/domain.yml when it lacks the response."""
    return catalogue.text(response, language, domain.get("responses"), **values)


def buttons(domain: dict[str, Any], response: str, language: str) -> list[dict[str, str]]:
    found = catalogue.variation(response, language, domain.get("responses")).get("buttons") or []
    return [dict(button) for button in found]


__all__ = ["buttons", "language_of", "text"]
