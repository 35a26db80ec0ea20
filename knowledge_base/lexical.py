"""The lexical half of hybrid search: how much of a question's informative words an article contains.

The score is the idf-weighted share of the query's content words found in an
article, in [0, 1], so it means the same for every query (unlike raw BM25).
Typos are corrected before the query gets here (knowledge_base.spelling).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse

TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "hi",
        "hello",
        "hey",
        "please",
        "thanks",
        "thank",
        "pls",
        "plz",
        "can't",
        "cant",
        "dont",
        "don't",
        "im",
        "i'm",
        "ive",
        "i've",
        "want",
        "wanted",
        "need",
        "get",
        "got",
        "know",
        "tell",
        "let",
        "ok",
        "okay",
        "also",
        "still",
        "really",
        "just",
    ]
)
_SUFFIXES = ("ings", "ing", "ied", "ies", "ed", "es", "s")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A deliberately light stemmer: enough to match 'returns'/'returned'/'returning'.

    Cached: an index of 100,000 articles stems a few million words drawn from a vocabulary of thousands.
    """
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return base + "y" if suffix in ("ies", "ied") else base
    return word


def content_terms(text: str) -> list[str]:
    return [stem(token) for token in TOKEN.findall(text.lower()) if token not in STOPWORDS and len(token) > 1]


class LexicalIndex:
    def __init__(self, documents: Sequence[str]) -> None:
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        columns: list[int] = []
        for row, document in enumerate(documents):
            for term in set(content_terms(document)):
                columns.append(vocabulary.setdefault(term, len(vocabulary)))
                rows.append(row)
        self.vocabulary = vocabulary
        self.size = len(documents)
        self.matrix = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(len(documents), max(len(vocabulary), 1))
        ).tocsc()
        document_frequency = np.asarray(self.matrix.sum(axis=0)).ravel()
        # Unknown words weigh as much as the rarest known word: a question about something
        # the knowledge base never mentions should not look covered.
        self.idf = np.log((1 + self.size) / (1 + document_frequency)) + 1.0
        self.unknown_idf = math.log(1 + self.size) + 1.0

    def scores(self, query: str) -> np.ndarray:
        """The coverage score of every document for the query, in [0, 1]."""
        terms = list(dict.fromkeys(content_terms(query)))
        if not terms or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        columns: list[int] = []
        weights: list[float] = []
        total = 0.0
        for term in terms:
            column = self.vocabulary.get(term)
            if column is None:
                total += self.unknown_idf
                continue
            weight = float(self.idf[column])
            total += weight
            columns.append(column)
            weights.append(weight)
        if not columns:
            return np.zeros(self.size, dtype=np.float32)
        covered = self.matrix[:, columns] @ np.asarray(weights, dtype=np.float32)
        return (np.asarray(covered).ravel() / total).astype(np.float32)
