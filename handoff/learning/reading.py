"""How a customer saw the bot's turn: the article it answered with outright, and the ones it suggested.

One reading for every judge of the bot (bench faq, bench learn, the trainer's "try a question"), so
that they cannot disagree about what the customer got.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SUGGESTION = re.compile(r'^/ask_faq\{"article_slug":"([a-z0-9-]+)"\}$')


@dataclass(frozen=True)
class Reading:
    answered: str | None
    suggested: tuple[str, ...]

    @property
    def verdict(self) -> str:
        return "answer" if self.answered else "suggest" if self.suggested else "none"


def read_replies(replies: Sequence[Mapping[str, Any]], slug_by_answer: Mapping[str, str]) -> Reading:
    """``slug_by_answer`` maps each published article's answer text (stripped) to its slug."""
    answered = next(
        (slug_by_answer[text] for r in replies if (text := str(r.get("text") or "").strip()) in slug_by_answer), None
    )
    suggested = tuple(
        match.group(1)
        for reply in replies
        for button in reply.get("buttons") or []
        if (match := SUGGESTION.match(str(button.get("payload") or "")))
    )
    return Reading(answered, suggested)
