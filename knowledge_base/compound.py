"""Two questions in one message: "do you ship to canada? and how long do refunds take".

Embedded whole, such a message lands between its two articles and neither is answered.
Cut at question marks and at the joins customers use between questions, each part can
be searched on its own.
"""

from __future__ import annotations

import re

# A question mark ends a part; so does "also"/"and also"/"plus" after a comma, or a sentence end before one.
_SPLIT = re.compile(
    r"(?<=\?)\s*|[.!;,]\s+(?:and\s+)?(?:also|plus|another thing|one more thing)\b[,:]?\s*", re.IGNORECASE
)
_MIN_WORDS = 3  # "thanks?" or "ok and" is not a question of its own
MAX_PARTS = 3  # more than three questions at once: answering the whole message is the better bet


def question_parts(text: str) -> list[str]:
    """The message's separate questions, in order; a single question comes back as one part."""
    parts = [part.strip(" ,.;:-") for part in _SPLIT.split(text)]
    parts = [part for part in parts if len(part.split()) >= _MIN_WORDS]
    return parts if 1 < len(parts) <= MAX_PARTS else [text]
