"""SearchIndex scoring against a plain, article-by-article reference (no model needed: random unit vectors)."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge_base.article_files import ArticleData
from knowledge_base.search import (
    ANSWER_WEIGHT,
    HEAD_WEIGHT,
    LEXICAL_WEIGHT,
    PASSAGE_WEIGHT,
    QUESTION_WEIGHT,
    SearchIndex,
)


def make_articles(count: int, seed: int = 3) -> list[ArticleData]:
    rng = np.random.default_rng(seed)
    words = ["refund", "parcel", "invoice", "warranty", "voucher", "delivery", "return", "size", "colour", "stock"]
    articles = []
    for number in range(count):
        picked = [str(word) for word in rng.choice(words, size=3, replace=False)]
        questions = tuple(f"{picked[i % 3]} question {number} {i}" for i in range(int(rng.integers(0, 5))))
        articles.append(
            ArticleData(
                slug=f"article-{number}",
                title=f"About {picked[0]} and {picked[1]}",
                category="misc",
                # Zero to three sentences after the first: articles with one passage and with several.
                answer=" ".join([f"The answer about {picked[2]}.", *["It says more here."] * int(rng.integers(0, 4))]),
                questions=questions,
                tags=(picked[2],),
            )
        )
    return articles


def unit_vectors(count: int, seed: int = 5) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, 16)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def reference_scores(index: SearchIndex, vectors: np.ndarray, query_vector: np.ndarray, query: str) -> list[float]:
    lexical = index.lexical.scores(query)
    head = index.head.probabilities(query_vector) if index.head is not None else None
    scores, row = [], 0
    for position, article in enumerate(index.articles):
        count, answer = len(article.search_texts()), len(article.questions) + 1
        similarities = vectors[row : row + count] @ query_vector
        row += count
        score = (
            QUESTION_WEIGHT * similarities[:answer].max()
            + ANSWER_WEIGHT * similarities[answer]
            + PASSAGE_WEIGHT * similarities[answer + 1 :].max()
            + LEXICAL_WEIGHT * lexical[position]
        )
        score = float(np.clip(score, 0.0, 1.0))
        scores.append(score if head is None else (1 - HEAD_WEIGHT) * score + HEAD_WEIGHT * float(head[position]))
    return scores


@pytest.mark.parametrize("query", ["refund for my parcel", "warranty voucher", "nothing in common"])
def test_scores_and_order_match_an_article_by_article_computation(query: str) -> None:
    articles = make_articles(300)
    vectors = unit_vectors(sum(len(article.search_texts()) for article in articles))
    index = SearchIndex(articles, vectors)
    assert index.head is not None, "300 articles have a head, so its probability is part of every score"
    query_vector = unit_vectors(1, seed=11)[0]

    hits = index.search(query_vector, query, limit=10)

    expected = reference_scores(index, vectors, query_vector, query)
    ranked = sorted(range(len(articles)), key=lambda position: -expected[position])[:10]
    assert [hit.slug for hit in hits] == [articles[position].slug for position in ranked]
    for hit, position in zip(hits, ranked, strict=True):
        assert hit.score == pytest.approx(expected[position], abs=1e-4)
        texts = articles[position].search_texts()
        assert hit.matched_question in texts[: len(articles[position].questions) + 1]  # never the answer


def test_the_matched_question_is_the_closest_title_or_question() -> None:
    article = ArticleData(
        slug="one", title="Title", category="misc", answer="Answer", questions=("first", "second"), tags=()
    )
    vectors = np.eye(5, dtype=np.float32)  # title, first, second, answer, the answer as its only passage
    hit = SearchIndex([article], vectors).search(vectors[2], "second", limit=1)[0]
    assert hit.matched_question == "second"
    assert hit.semantic == pytest.approx(QUESTION_WEIGHT / (QUESTION_WEIGHT + ANSWER_WEIGHT + PASSAGE_WEIGHT), abs=1e-4)


def test_a_question_about_one_fact_matches_the_passage_that_holds_it() -> None:
    article = ArticleData(
        slug="pay",
        title="Payment",
        category="misc",
        answer="We accept:\n- Visa and Amex cards\n- PayPal or gift cards",
        questions=("payment options",),
        tags=(),
    )
    assert article.passages == ("Visa and Amex cards", "PayPal or gift cards")
    vectors = np.eye(5, dtype=np.float32)  # title, question, answer, two passages
    hit = SearchIndex([article], vectors).search(vectors[4], "amex", limit=1)[0]
    assert hit.semantic == pytest.approx(PASSAGE_WEIGHT / (QUESTION_WEIGHT + ANSWER_WEIGHT + PASSAGE_WEIGHT), abs=1e-4)


def test_vectors_must_match_the_articles_texts() -> None:
    articles = make_articles(3)
    with pytest.raises(ValueError, match="vectors for"):
        SearchIndex(articles, unit_vectors(sum(len(article.search_texts()) for article in articles) - 1))


def test_an_empty_index_finds_nothing() -> None:
    assert SearchIndex([], np.zeros((0, 16), dtype=np.float32)).search(unit_vectors(1)[0], "refund") == []


def test_a_new_variant_keeps_the_earlier_head_until_its_refit_lands() -> None:
    articles = make_articles(20)
    first = SearchIndex(articles, unit_vectors(sum(len(a.search_texts()) for a in articles)))
    assert first.head is not None and first.head_refit is None, "a first index fits its head at once"
    taught = [ArticleData(**{**articles[0].__dict__, "questions": (*articles[0].questions, "a new variant")})]
    taught += articles[1:]
    second = SearchIndex(taught, unit_vectors(sum(len(a.search_texts()) for a in taught)), previous=first)
    assert second.head_refit is not None
    second.head_refit.join(timeout=30)
    assert second.head is not None and second.head is not first.head
    assert second.head.model.n_features_in_ == 16 and len(second.head.slugs) == 20


def test_a_chinese_questions_unfamiliar_share_counts_its_chinese_words_with_its_english_ones() -> None:
    article = ArticleData(
        slug="student-discount",
        title="学生折扣",
        category="discounts",
        answer="学生凭有效学生证可享受九折优惠。",
        questions=("学生有优惠吗", "student discount"),
    )
    index = SearchIndex([article], unit_vectors(len(article.search_texts())))
    assert index.unfamiliar_share("学生有折扣吗") == 0.0
    assert index.unfamiliar_share("教师有折扣吗") > 0.0, "教师 (teacher) is in no article"
    assert index.unfamiliar_share("teacher discount") == 0.5, "English words as before: teacher is unknown"
