"""Removes personal data from text before it becomes training data or a knowledge-base answer.

Our own recognisers, all offline: emails, phone numbers, order and tracking
numbers, card-like numbers, street addresses and postcodes, and people's names
(the CRM's customers and staff, plus names introduced with "my name is",
"I'm", "this is"). Each is replaced by a placeholder such as [EMAIL] so the
sentence still reads naturally. Recall beats precision here: a scrubbed word
too many costs a little training signal; a leaked address costs trust.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
ORDER_NUMBER = re.compile(r"\b(?:HP|hp|Hp)\s*-?\s*\d{6}\b")
TRACKING = re.compile(r"\b1Z[0-9A-Z]{16}\b|\b\d{12,22}\b")
CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
PHONE = re.compile(
    r"(?<![\w-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)|\d{2,4})[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?![\w-])|(?<![\w-])\+\d{8,15}(?![\w-])"
)
STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Court|Ct|Way|Boulevard|Blvd|Place|Pl|Terrace|Row|"
    r"Highway|Hwy|Parkway|Pkwy|Square|Sq|Circle|Cir|Trail|Close|Crescent|Gardens)"
)
ADDRESS = re.compile(rf"\b\d{{1,5}}[A-Za-z]?\s+(?:[A-Za-z][A-Za-z'.-]*\s+){{0,3}}{STREET_SUFFIX}\b\.?", re.IGNORECASE)
US_ZIP = re.compile(r"\b\d{5}(?:-\d{4})?\b")
UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
NAME_CUE = re.compile(
    # The cue in any case ("I'm", "This is"); the name itself capitalised.
    r"\b(?i:my name is|name's|i am|i'm|im|this is|call me|signed|regards|thanks|cheers)[,:]?\s+"
    r"((?:[A-Z][a-z'-]+)(?:\s+[A-Z][a-z'-]+){0,2})"
)
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")

PLACEHOLDERS = ("[EMAIL]", "[ORDER]", "[NUMBER]", "[CARD]", "[PHONE]", "[ADDRESS]", "[POSTCODE]", "[NAME]")
# Words that open a sentence after a cue but are not names ("I'm Sorry", "Thanks Again").
NOT_NAMES = frozenset(
    [
        "sorry",
        "not",
        "so",
        "very",
        "really",
        "just",
        "still",
        "also",
        "here",
        "there",
        "happy",
        "glad",
        "back",
        "again",
        "a",
        "an",
        "the",
        "in",
        "on",
        "at",
    ]
)


@dataclass
class Scrubber:
    """Built with the names to look for; ``scrub`` is pure and thread-safe."""

    known_names: set[str] = field(default_factory=set)

    @classmethod
    def with_names(cls, names: Iterable[str]) -> Scrubber:
        parts = {part.lower() for name in names for part in WORD.findall(name or "") if len(part) > 1}
        return cls(parts)

    def scrub(self, text: str, *, extra_names: Iterable[str] = ()) -> str:
        extra = {part.lower() for name in extra_names for part in WORD.findall(name or "") if len(part) > 1}
        text = EMAIL.sub("[EMAIL]", text)
        text = ORDER_NUMBER.sub("[ORDER]", text)
        text = ADDRESS.sub("[ADDRESS]", text)
        text = TRACKING.sub("[NUMBER]", text)
        text = CARD.sub(lambda m: "[CARD]" if len(re.sub(r"\D", "", m.group(0))) >= 13 else m.group(0), text)
        text = PHONE.sub("[PHONE]", text)
        text = UK_POSTCODE.sub("[POSTCODE]", text)
        text = US_ZIP.sub("[POSTCODE]", text)
        text = NAME_CUE.sub(lambda m: m.group(0).replace(m.group(1), self._cue_name(m.group(1))), text)
        return self._names(text, extra)

    def _cue_name(self, candidate: str) -> str:
        words = candidate.split()
        if words and words[0].lower() in NOT_NAMES:
            return candidate
        return "[NAME]"

    def _names(self, text: str, extra: set[str]) -> str:
        """Known names: always when capitalised, or lower-case next to another name (maria jensen), or the
        conversation's own customer in any case."""
        tokens = list(WORD.finditer(text))
        known = [self._is_known(match.group(0), extra) for match in tokens]
        replace = []
        for index, match in enumerate(tokens):
            word = match.group(0)
            if not known[index]:
                continue
            neighbour = (index > 0 and known[index - 1]) or (index + 1 < len(tokens) and known[index + 1])
            if word.lower() in extra or word[0].isupper() or neighbour:
                replace.append(match.span())
        for start, end in reversed(replace):
            text = text[:start] + "[NAME]" + text[end:]
        return re.sub(r"\[NAME\](?:\s+\[NAME\])+", "[NAME]", text)

    def _is_known(self, word: str, extra: set[str]) -> bool:
        lowered = word.lower()
        return lowered in self.known_names or lowered in extra


def contains_placeholder(text: str) -> bool:
    return any(placeholder in text for placeholder in PLACEHOLDERS)
