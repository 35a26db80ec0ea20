"""Pooled embeddings for the NLU featurizer: the mean part is the search embedding, the max part its own unit vector."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge_base.embedding import Embedder

pytestmark = pytest.mark.slow
TEXTS = ["hi", "Where is my parcel? It was due on Tuesday.", "can i change the delivery address of order 1042 please"]


def test_mean_pooling_is_the_sentence_embedding_in_batches_and_alone(embedder: Embedder) -> None:
    expected = embedder.encode(TEXTS)
    np.testing.assert_allclose(embedder.encode_pooled(TEXTS, ["mean"]), expected, atol=1e-5)
    np.testing.assert_allclose(embedder.encode_pooled(TEXTS[1:2], ["mean"])[0], expected[1], atol=1e-5)


def test_mean_and_max_sit_side_by_side_each_of_unit_length_in_the_texts_order(embedder: Embedder) -> None:
    both = embedder.encode_pooled(TEXTS, ["mean", "max"], batch_size=2)
    dimensions = embedder.dimensions
    assert both.shape == (3, 2 * dimensions)
    np.testing.assert_allclose(np.linalg.norm(both[:, :dimensions], axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(both[:, dimensions:], axis=1), 1.0, atol=1e-5)
    assert not np.allclose(both[:, :dimensions], both[:, dimensions:], atol=1e-2)
    for index, text in enumerate(TEXTS):  # batching and sorting by length change nothing
        np.testing.assert_allclose(embedder.encode_pooled([text], ["mean", "max"])[0], both[index], atol=1e-5)
