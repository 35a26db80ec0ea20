"""A customer's text is embedded once per message: Rasa's NLU embeds it, the knowledge-base search reuses the vector.

The NLU's sentence featurizer (bot/components/sentence_embeddings.py) runs the same model over the
same text as the search would, so it puts that vector into the message's parse data
(``PARSE_DATA_KEY``), which reaches the action server inside the tracker. The search takes it when
its model is the knowledge base's and it was computed from the very text the search would embed
(after typo correction): otherwise it embeds the text itself, as before. Identical text, model and
single-threaded route give a bit-identical vector (tests/knowledge_base/test_query_vectors.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from knowledge_base.embedding import from_bytes, to_bytes

PARSE_DATA_KEY = "text_embedding"


def exact_hash(text: str) -> str:
    # Not knowledge_base.embedding.text_hash, which folds whitespace: only the very same string is trusted.
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def packed(model: str, text: str, vector: np.ndarray) -> dict[str, str]:
    """What the NLU puts into the parse data: JSON-safe, about 2 kB for a 384-dimension model."""
    return {
        "model": model,
        "text_sha256": exact_hash(text),
        "vector": base64.b64encode(to_bytes(vector)).decode("ascii"),
    }


class KnownVectors:
    """Vectors already computed for this conversation's texts, by the model that computed them."""

    def __init__(self, model: str, dimensions: int, entries: Iterable[Any] = ()) -> None:
        self.dimensions = dimensions
        self._packed: dict[str, str] = {}
        for entry in entries:
            if isinstance(entry, Mapping) and entry.get("model") == model:
                digest, vector = entry.get("text_sha256"), entry.get("vector")
                if isinstance(digest, str) and isinstance(vector, str):
                    self._packed[digest] = vector

    def __len__(self) -> int:
        return len(self._packed)

    def get(self, text: str) -> np.ndarray | None:
        """The vector of ``text``, or None when none was computed (or what was passed is not one)."""
        encoded = self._packed.get(exact_hash(text))
        if encoded is None:
            return None
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return None
        if len(raw) != 4 * self.dimensions:
            return None
        return from_bytes(raw)


# The actions search with the latest message, or one a step or two back (a rephrase, a complaint's first line).
RECENT_USER_EVENTS = 3


def entries_in(events: Sequence[Mapping[str, Any]], limit: int = RECENT_USER_EVENTS) -> list[Any]:
    """The packed vectors of a tracker's newest ``limit`` user events (as the action server receives them)."""
    entries: list[Any] = []
    for event in reversed(events):
        if event.get("event") == "user" and isinstance(event.get("parse_data"), Mapping):
            entries.append(event["parse_data"].get(PARSE_DATA_KEY))
            if len(entries) == limit:
                break
    return entries
