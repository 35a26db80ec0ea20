"""The article head: a classifier over the question variants' vectors (no model needed: synthetic vectors)."""

from __future__ import annotations

import numpy as np

from knowledge_base import head as head_module
from knowledge_base.head import ArticleHead


def clusters(articles: int, per_article: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Variants scattered around one centre per article, as unit vectors; also the centres."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((articles, 32))
    vectors = np.repeat(centres, per_article, axis=0) + 0.3 * rng.standard_normal((articles * per_article, 32))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32), np.repeat(np.arange(articles), per_article), centres


def test_the_head_is_confident_near_an_articles_variants_and_unsure_between_two() -> None:
    vectors, labels, centres = clusters(5, 6)
    head = ArticleHead.fit(vectors, labels, tuple(f"a{i}" for i in range(5)))
    assert head is not None
    near = head.probabilities(centres[2] / np.linalg.norm(centres[2]))
    assert int(np.argmax(near)) == 2 and near[2] > 0.5
    between = (centres[0] + centres[1]) / np.linalg.norm(centres[0] + centres[1])
    assert head.probabilities(between).max() < near[2]


def test_a_warm_start_from_the_previous_fit_agrees_with_a_cold_one() -> None:
    vectors, labels, centres = clusters(5, 6)
    slugs = tuple(f"a{i}" for i in range(5))
    first = ArticleHead.fit(vectors[:-1], labels[:-1], slugs)
    warm = ArticleHead.fit(vectors, labels, slugs, previous=first)
    cold = ArticleHead.fit(vectors, labels, slugs)
    assert warm is not None and cold is not None
    queries = centres / np.linalg.norm(centres, axis=1, keepdims=True)
    assert [int(np.argmax(warm.probabilities(q))) for q in queries] == list(range(5))
    assert np.allclose([warm.probabilities(q) for q in queries], [cold.probabilities(q) for q in queries], atol=0.05)


def test_no_head_for_one_article_or_more_than_the_limit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    vectors, labels, _ = clusters(3, 4)
    assert ArticleHead.fit(vectors[:4], labels[:4], ("only",)) is None
    monkeypatch.setattr(head_module, "MAX_ARTICLES", 2)
    assert ArticleHead.fit(vectors, labels, ("a", "b", "c")) is None


def test_questions_marked_unanswerable_take_the_confidence_away_near_them() -> None:
    vectors, labels, centres = clusters(5, 6)
    slugs = tuple(f"a{i}" for i in range(5))
    rng = np.random.default_rng(7)
    # An unanswerable question between articles 0 and 1, and two rewordings of it.
    middle = (centres[0] + centres[1]) / np.linalg.norm(centres[0] + centres[1])
    declined = middle + 0.05 * rng.standard_normal((3, 32))
    declined /= np.linalg.norm(declined, axis=1, keepdims=True)
    plain = ArticleHead.fit(vectors, labels, slugs)
    taught = ArticleHead.fit(vectors, labels, slugs, previous=plain, declined=declined[:1].astype(np.float32))
    assert plain is not None and taught is not None
    for rewording in declined[1:]:
        assert len(taught.probabilities(rewording)) == 5
        assert taught.probabilities(rewording).max() < plain.probabilities(rewording).max() / 2
    near = centres[2] / np.linalg.norm(centres[2])
    assert int(np.argmax(taught.probabilities(near))) == 2 and taught.probabilities(near)[2] > 0.5
