"""The words the knowledge base uses, to tell which words of a question it has never seen.

A question about what the shop does not have ("do you offer a teacher discount?") usually
names it in a word no article contains. Inflections do not count as new: "engrave" is
known when an article says "engraving", "batteries" when one says "battery".
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from knowledge_base.lexical import STOPWORDS, stem

MIN_LENGTH = 3  # shorter words carry too little to judge by
MIN_PREFIX = 5


class Vocabulary:
    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted(set(words))
        self._known = frozenset(self.words)
        self._stems = frozenset(stem(word) for word in self.words)

    def knows(self, word: str) -> bool:
        """Whether the word, a form of it, or a longer word it begins (all but its last two letters) is known."""
        if word in self._known or stem(word) in self._stems:
            return True
        prefix = word[: max(MIN_PREFIX, len(word) - 2)]
        position = bisect.bisect_left(self.words, prefix)
        return position < len(self.words) and self.words[position].startswith(prefix)

    def unfamiliar(self, words: Iterable[str]) -> int:
        """How many informative words (not stop words, at least three letters) are unknown."""
        return sum(1 for w in words if len(w) >= MIN_LENGTH and w not in STOPWORDS and not self.knows(w))
