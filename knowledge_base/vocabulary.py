"""The words the knowledge base uses, to tell which words of a question it has never seen.

A question about what the shop does not have ("do you offer a teacher discount?") usually
names it in a word no article contains. What counts is the share of such words, not their
number: a long question has more words of its own ("my sister", "last tuesday") without
being any less about what the articles cover. Inflections do not count as new: "engrave" is
known when an article says "engraving", "batteries" when one says "battery", "knife" when one says "knives".
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from knowledge_base.lexical import STOPWORDS, stem

MIN_LENGTH = 3  # shorter words carry too little to judge by
MIN_PREFIX = 5


def _f_plural_forms(word: str) -> tuple[str, ...]:
    """knife <-> knives, shelf <-> shelves: the plurals a suffix-stripping stemmer cannot join."""
    if word.endswith("ves"):
        return (word[:-3] + "f", word[:-3] + "fe")
    if word.endswith("fe"):
        return (word[:-2] + "ves",)
    if word.endswith("f"):
        return (word[:-1] + "ves",)
    return ()


class Vocabulary:
    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted(set(words))
        self._known = frozenset(self.words)
        self._stems = frozenset(stem(word) for word in self.words)

    def knows(self, word: str) -> bool:
        """Whether the word, a form of it, or a longer word it begins (all but its last two letters) is known."""
        if any(form in self._known or stem(form) in self._stems for form in (word, *_f_plural_forms(word))):
            return True
        prefix = word[: max(MIN_PREFIX, len(word) - 2)]
        position = bisect.bisect_left(self.words, prefix)
        return position < len(self.words) and self.words[position].startswith(prefix)

    def unfamiliar_share(self, words: Iterable[str]) -> float:
        """The share of informative words (not stop words, at least three letters) that are unknown."""
        unknown, informative = self.counts(words)
        return unknown / informative if informative else 0.0

    def counts(self, words: Iterable[str]) -> tuple[int, int]:
        """How many informative words are unknown, and how many informative words there are."""
        informative = [w for w in words if len(w) >= MIN_LENGTH and w not in STOPWORDS]
        return sum(1 for w in informative if not self.knows(w)), len(informative)
