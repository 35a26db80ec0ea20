"""Correct customers' typos before searching ("refnd", "shiping", "recieve").

A word is left alone when it is known: in the knowledge base's own vocabulary,
in the embedding model's word list (about 20,000 common English words) or among
the English words in common use (knowledge_base.english: "swapping" and "insulated"
stay; the model's list alone turned them into "snapping" and "insulted").
An unknown word is replaced by a known word one edit away (insert, delete,
substitute or swap two letters), preferring the knowledge base's words, so a
misspelt question lands on the same articles as a well-spelt one. A rare
dictionary word ("cheeper") is replaced only by a knowledge-base word one edit
away ("cheaper"). Unknown words with no close match (brand names, other shops)
stay as they are, which keeps unrelated questions unrelated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from knowledge_base.english import EnglishWords, english_words

LETTERS = "abcdefghijklmnopqrstuvwxyz"
WORD = re.compile(r"[A-Za-z]+")
MIN_LENGTH = 4  # shorter words have too many neighbours to guess safely


def edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [left + right[1:] for left, right in splits if right]
    swaps = [left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1]
    replaces = [left + letter + right[1:] for left, right in splits if right for letter in LETTERS]
    inserts = [left + letter + right for left, right in splits for letter in LETTERS]
    return set(deletes + swaps + replaces + inserts)


class SpellingCorrector:
    def __init__(
        self, domain_counts: Mapping[str, int], general_words: Iterable[str], english: EnglishWords | None = None
    ) -> None:
        """``domain_counts``: the knowledge base's words and how often they occur; ``general_words``: in rank
        order; ``english``: the English dictionary (knowledge_base.english's by default)."""
        self.domain = dict(domain_counts)
        self.general_rank = {word: rank for rank, word in enumerate(general_words)}
        self.english = english if english is not None else english_words()
        self._correct_word = lru_cache(maxsize=50_000)(self._correct_word_uncached)

    def is_known(self, word: str) -> bool:
        return word in self.domain or word in self.general_rank or self.english.is_common(word)

    def _correct_word_uncached(self, word: str) -> str:
        if len(word) < MIN_LENGTH or self.is_known(word):
            return word
        candidates = edits1(word)
        in_domain = [candidate for candidate in candidates if candidate in self.domain]
        if in_domain:
            return max(in_domain, key=lambda candidate: (self.domain[candidate], candidate))
        if self.english.is_rare(word):
            return word
        general = [candidate for candidate in candidates if candidate in self.general_rank]
        if general:
            return min(general, key=lambda candidate: (self.general_rank[candidate], candidate))
        common = [candidate for candidate in candidates if self.english.is_common(candidate)]
        if common:
            return max(common, key=lambda candidate: (self.english.frequency[candidate], candidate))
        return word

    def correct(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            original = match.group(0)
            corrected = self._correct_word(original.lower())
            return original if corrected == original.lower() else corrected

        return WORD.sub(replace, text)
