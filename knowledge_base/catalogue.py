"""The bot's words in every language it speaks: the responses of bot/domain.yml, one catalogue for all.

Rasa renders them for the responses it sends; the actions (actions/texts.py) and the gateway's own
notices (queue position, "one moment", an agent joining) read the same file. A response may have a
variation per language, ``condition: [{type: slot, name: language, value: zh}]``; the one without a
condition is English and the fallback.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import yaml

from crm_store.settings import PROJECT_ROOT

DOMAIN_FILE = PROJECT_ROOT / "bot" / "domain.yml"
LANGUAGE_SLOT = "language"


@lru_cache(maxsize=1)
def responses() -> dict[str, Any]:
    """bot/domain.yml's responses, read once per process."""
    return dict(yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8")).get("responses") or {})


def variation(response: str, language: str, catalogue: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The response's variation for ``language``: the one conditioned on it, else the one without conditions.

    ``catalogue``: responses to look in first (the domain Rasa sent with an action request).
    """
    variations = ((catalogue or {}).get(response)) or responses().get(response) or []
    fallback: dict[str, Any] | None = None
    for candidate in variations:
        conditions = candidate.get("condition") or []
        if not conditions and fallback is None:
            fallback = candidate
        if any(c.get("name") == LANGUAGE_SLOT and c.get("value") == language for c in conditions):
            return dict(candidate)
    if fallback is None:
        raise KeyError(f"{DOMAIN_FILE.name} has no response {response!r} without a condition")
    return dict(fallback)


def text(response: str, language: str, catalogue: Mapping[str, Any] | None = None, **values: Any) -> str:
    """The response's text in ``language``, ``{name}`` placeholders filled from ``values``."""
    template = str(variation(response, language, catalogue).get("text") or "")
    return template.format(**values) if values else template


__all__ = ["DOMAIN_FILE", "LANGUAGE_SLOT", "responses", "text", "variation"]
