"""Sentence embeddings kept on disk between benchmark runs (under var/bench-cache/), so a rerun embeds nothing.

Keyed by the model's name and the hash the importer itself uses
(knowledge_base.embedding.text_hash); vectors are stored as float32, exactly
as the model gave them, so a cached run measures the same index as a cold one.
Each batch of new vectors is written as its own part file as soon as it is
computed: an interrupted first run keeps what it had done. At 100,000 articles
the cache holds about 600,000 vectors, 0.9 GB. Delete the directory to start
over (for instance after replacing the model files behind a name).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from knowledge_base.embedding import Embedder, text_hash

CHUNK = 4096  # texts per part file: a few seconds of work, about 6 MB


class EmbeddingCache:
    def __init__(self, directory: Path, model: str) -> None:
        self.directory = directory / re.sub(r"[^A-Za-z0-9_.-]+", "_", model)
        self._where: dict[bytes, tuple[int, int]] | None = None  # hash -> (part number, row)
        self._parts: list[Path | np.ndarray] = []  # each part's vectors: its file, or the array when written here

    def _index(self) -> dict[bytes, tuple[int, int]]:
        if self._where is None:
            self._where = {}
            self._parts = []
            for hashes_file in sorted(self.directory.glob("part-*.hashes.npy")):
                vectors_file = hashes_file.with_name(hashes_file.name.replace(".hashes.", ".vectors."))
                if not vectors_file.is_file():
                    continue
                number = len(self._parts)
                self._parts.append(vectors_file)
                for row, digest in enumerate(np.load(hashes_file).tolist()):
                    self._where.setdefault(digest, (number, row))
        return self._where

    def __len__(self) -> int:
        return len(self._index())

    @property
    def dimensions(self) -> int | None:
        self._index()
        return int(self._part(0).shape[1]) if self._parts else None

    def _part(self, number: int) -> np.ndarray:
        part = self._parts[number]
        # Mapped for the moment only: pages of a mapping kept open would count in the process's memory.
        return np.load(part, mmap_mode="r") if isinstance(part, Path) else part

    def missing(self, texts: Sequence[str]) -> list[str]:
        """The distinct texts with no cached vector, in first-seen order."""
        where, seen, todo = self._index(), set(), []
        for text in texts:
            digest = text_hash(text).encode("ascii")
            if digest not in where and digest not in seen:
                seen.add(digest)
                todo.append(text)
        return todo

    def add(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        where = self._index()
        self.directory.mkdir(parents=True, exist_ok=True)
        number = len(self._parts)
        stem = self.directory / f"part-{number:05d}-{os.getpid()}"
        hashes = np.array([text_hash(text).encode("ascii") for text in texts], dtype="S64")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        # Vectors first, hashes last and each by rename: a part counts only once both are whole.
        for suffix, array in ((".vectors.npy", vectors), (".hashes.npy", hashes)):
            partial = stem.with_name(stem.name + suffix + ".partial")
            with partial.open("wb") as handle:
                np.save(handle, array)
            partial.replace(stem.with_name(stem.name + suffix))
        self._parts.append(stem.with_name(stem.name + ".vectors.npy"))
        for row, digest in enumerate(hashes.tolist()):
            where.setdefault(digest, (number, row))

    def fill(self, texts: Sequence[str], model: str, progress: Callable[[str], None]) -> tuple[int, float]:
        """Embed and store every text not cached yet; returns how many were embedded and the seconds it took.

        One worker process per core, each with a single-threaded torch: as fast as one process using every core
        when the machine is idle, and far faster when something else is running (torch's threads then wait on
        one another at every operation).
        """
        todo = self.missing(texts)
        if not todo:
            return 0, 0.0
        workers = max(1, min(os.cpu_count() or 1, len(todo) // CHUNK + 1))
        progress(
            f"embedding {len(todo):,} text(s) not in {self.directory} ({len(self):,} cached) "
            f"with {workers} worker process(es)"
        )
        started = last_report = time.perf_counter()
        chunks = [todo[start : start + CHUNK] for start in range(0, len(todo), CHUNK)]
        done = 0
        with ProcessPoolExecutor(
            workers, mp_context=get_context("spawn"), initializer=_start_worker, initargs=(model,)
        ) as pool:
            for chunk, vectors in zip(chunks, pool.map(_embed, chunks), strict=True):
                self.add(chunk, vectors)
                done += len(chunk)
                now = time.perf_counter()
                if now - last_report >= 30 or done == len(todo):
                    last_report = now
                    per_text = (now - started) / done
                    progress(
                        f"  embedded {done:,}/{len(todo):,} ({per_text * 1000:.2f} ms/text, "
                        f"about {per_text * (len(todo) - done) / 60:.0f} min left)"
                    )
        return len(todo), time.perf_counter() - started

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """The cached vectors of ``texts``, one row each; every text must be cached."""
        where = self._index()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        places = [where[text_hash(text).encode("ascii")] for text in texts]
        result = np.empty((len(texts), self._part(places[0][0]).shape[1]), dtype=np.float32)
        by_part: dict[int, tuple[list[int], list[int]]] = {}
        for position, (part, row) in enumerate(places):
            positions, rows = by_part.setdefault(part, ([], []))
            positions.append(position)
            rows.append(row)
        for part, (positions, rows) in by_part.items():
            result[positions] = self._part(part)[rows]
        return result


_worker_embedder: Embedder | None = None


def _start_worker(model: str) -> None:
    import torch

    global _worker_embedder
    torch.set_num_threads(1)
    _worker_embedder = Embedder(model)


def _embed(texts: list[str]) -> np.ndarray:
    assert _worker_embedder is not None
    return _worker_embedder.encode(texts)


class CachedEmbedder(Embedder):
    """What the importer sees in the benchmark: vectors from the cache, the model only for texts not in it."""

    def __init__(self, inner: Embedder, cache: EmbeddingCache) -> None:
        super().__init__(inner.model_name)
        self.inner = inner
        self.cache = cache

    def _load(self):  # type: ignore[no-untyped-def]
        return self.inner._load()

    @property
    def dimensions(self) -> int:
        return self.cache.dimensions or self.inner.dimensions

    def encode(self, texts: list[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        missing = self.cache.missing(texts)
        if missing:
            self.cache.add(missing, self.inner.encode(missing, batch_size=batch_size, show_progress=show_progress))
        return self.cache.vectors(texts)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
