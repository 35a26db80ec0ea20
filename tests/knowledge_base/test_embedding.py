"""The single-query route gives the vectors SentenceTransformer.encode gives, on one intra-op thread."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from knowledge_base.embedding import Embedder

pytestmark = pytest.mark.slow

QUERIES = [
    "hi",
    "refnd",
    "Where is my parcel? It was due on Tuesday.",
    "i ordered a blue jumper size M on the 3rd and it still has not arrived, can you check order 1042 for me " * 8,
]


def full_encode(embedder: Embedder, text: str) -> np.ndarray:
    model = embedder._load()
    return model.encode([text], convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)[0]


def test_one_query_gets_the_same_vector_as_a_full_encode(embedder: Embedder) -> None:
    assert embedder._lean, "the lean route disagreed with encode() when the model loaded"
    for text in QUERIES:
        np.testing.assert_allclose(embedder.encode_one(text), full_encode(embedder, text), rtol=0, atol=1e-6)
        np.testing.assert_allclose(embedder.encode([text])[0], embedder.encode_one(text), rtol=0, atol=1e-6)


def test_a_batch_agrees_with_one_query_at_a_time(embedder: Embedder) -> None:
    batch = embedder.encode(QUERIES)
    for text, vector in zip(QUERIES, batch, strict=True):
        np.testing.assert_allclose(vector, embedder.encode_one(text), rtol=0, atol=1e-5)


def test_queries_run_single_threaded_and_the_rest_of_the_process_keeps_its_setting(embedder: Embedder) -> None:
    import torch

    embedder.encode_one("warm up")
    assert embedder._query_workers().submit(torch.get_num_threads).result() == 1
    seen: list[int] = []
    fresh = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    fresh.start()
    fresh.join()
    assert seen == [torch.get_num_threads()]  # a new thread starts from the process's setting, not from 1
