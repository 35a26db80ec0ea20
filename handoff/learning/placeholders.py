"""Placeholders left by scrubbing ([EMAIL], [NAME], …) must never reach live text.

A candidate is scrubbed when it is proposed, so "do you accept amex? my email is
me@example.com" is reviewed as "do you accept amex? my email is [EMAIL]". Stored
as is, the bot would learn a question no customer asks. On approval the
trainer either edits the placeholder away or asks for it to be dropped; a
placeholder still there refuses the approval and names the field.
"""

from __future__ import annotations

import re

from handoff.errors import InvalidMessage
from handoff.learning.scrub import PLACEHOLDERS

PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))
# The words that only introduce personal data: "my email is [EMAIL]", "order [ORDER]", "I'm [NAME]".
_LEAD_IN = (
    r"(?:(?:and|but|also|btw|by the way|so)\s+)?"
    r"(?:(?:(?:my|our|the|your)\s+)?(?:e-?mail(?:\s+address)?|address|phone(?:\s+number)?|number|"
    r"order\s+(?:number|no\.?|#)|tracking(?:\s+number)?|card(?:\s+number)?|post\s*code|zip(?:\s+code)?|"
    r"name)(?:\s+(?:is|was|=|:))?|"
    r"(?:i\s+am|i'm|im|this\s+is|it's|it\s+is|call\s+me|regards|thanks|cheers|for|from|at|to)"
    r"|#|:)\s*"
)
_DANGLING = re.compile(rf"(?:\b{_LEAD_IN})?(?:{PLACEHOLDER.pattern})[,;:]?", re.IGNORECASE)


class PlaceholderLeft(InvalidMessage):
    """An approval whose question, answer or title still holds a scrubbing placeholder."""

    code = "placeholder_left"


def placeholders_in(text: str | None) -> list[str]:
    return list(dict.fromkeys(PLACEHOLDER.findall(text or "")))


def drop_placeholders(text: str) -> str:
    """The text without its placeholders and the words that only led up to them, tidied."""
    text = _DANGLING.sub(" ", text)
    text = re.sub(r"\s+([,;:.!?])", r"\1", text)
    text = re.sub(r"([,;:])(?=\s*(?:[.!?]|$))", "", text)  # "…, [EMAIL]." leaves no "…,."
    text = re.sub(r"[,;:]\s*([,;:])", r"\1", text)
    text = re.sub(r"\s+(?:and|or|but)(?=\s*(?:[.!?]|$))", "", text)  # "… and [ORDER]" leaves no "and"
    return " ".join(text.split()).strip(" ,;:").lstrip(".!?").strip()


def without_placeholders(fields: dict[str, str | None], *, drop: bool) -> dict[str, str | None]:
    """The fields, placeholders dropped when asked; otherwise refused while any remains.

    Dropping that leaves a field empty is refused too: the trainer has to write it.
    """
    cleaned: dict[str, str | None] = {}
    for name, text in fields.items():
        found = placeholders_in(text)
        if not found or text is None:
            cleaned[name] = text
            continue
        if not drop:
            raise PlaceholderLeft(
                f"{name} still contains {', '.join(found)}: edit it, or approve with drop_placeholders"
            )
        cleaned[name] = drop_placeholders(text)
        if not cleaned[name]:
            raise PlaceholderLeft(f"{name} is only {', '.join(found)}: write it before approving")
    return cleaned


__all__ = ["PlaceholderLeft", "drop_placeholders", "placeholders_in", "without_placeholders"]
