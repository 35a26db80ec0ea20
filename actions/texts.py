"""What the actions say, read from the one catalogue of the bot's words: the responses in bot/domain.yml.

Each response may have a variation for Chinese (``condition: [{type: slot, name: language, value: zh}]``),
as Rasa chooses for the responses it sends itself; an action that composes a message (an article's answer
with buttons, suggestions) takes its words from the same place, in the conversation's language.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml
from rasa_sdk import Tracker

from crm_store.settings import PROJECT_ROOT
from knowledge_base.language import DEFAULT_LANGUAGE, LANGUAGES

LANGUAGE_SLOT = "language"
DOMAIN_FILE = PROJECT_ROOT / "bot" / "domain.yml"


def language_of(tracker: Tracker) -> str:
    language = tracker.get_slot(LANGUAGE_SLOT)
    return str(language) if language in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, Any]:
    """bot/domain.yml's responses, for a request whose domain does not carry them (Rasa sends it; tests may not)."""
    return dict(yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8")).get("responses") or {})


def variation(domain: dict[str, Any], response: str, language: str) -> dict[str, Any]:
    """The response's variation for ``language``: the one conditioned on it, else the one without conditions."""
    variations = (domain.get("responses") or {}).get(response) or _catalogue().get(response) or []
    fallback: dict[str, Any] | None = None
    for candidate in variations:
        conditions = candidate.get("condition") or []
        if not conditions and fallback is None:
            fallback = candidate
        if any(c.get("name") == LANGUAGE_SLOT and c.get("value") == language for c in conditions):
            return candidate
    if fallback is None:
        raise KeyError(f"bot/domain.yml has no response {response!r} without a condition")
    return fallback


def text(domain: dict[str, Any], response: str, language: str, **values: Any) -> str:
    """The response's text in ``language``, with ``{name}`` placeholders filled from ``values``."""
    template = str(variation(domain, response, language).get("text") or "")
    return template.format(**values) if values else template


def buttons(domain: dict[str, Any], response: str, language: str) -> list[dict[str, str]]:
    return [dict(button) for button in variation(domain, response, language).get("buttons") or []]


__all__ = ["LANGUAGE_SLOT", "buttons", "language_of", "text", "variation"]
