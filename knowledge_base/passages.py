"""An answer cut into the passages a customer's question may be about.

A question usually asks about one fact of an answer ("do you take amex?" against a
payment answer that lists six methods). Compared with the whole answer, the fact is
diluted by everything else in it; compared with its own sentence or list item, it
stands out. Cross-validated on the article variants, matching the best passage as
well as the whole answer raised top-1 from 74% to 81% (BENCHMARKS.md, issue 12).
"""

from __future__ import annotations

import re

# Sentence ends, and line breaks (answers are often lists).
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\n")
_MIN_WORDS = 3  # shorter pieces ("We accept:") carry no fact of their own
_BULLET = " \t-*•"


def answer_passages(answer: str) -> tuple[str, ...]:
    """The answer's sentences and list items of three words or more; the whole answer if it has none."""
    pieces = (piece.strip(_BULLET) for piece in _BOUNDARY.split(answer))
    passages = tuple(dict.fromkeys(piece for piece in pieces if len(piece.split()) >= _MIN_WORDS))
    return passages or (answer,)
