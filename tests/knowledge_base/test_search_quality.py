"""Search quality on customer questions that are not copies of the articles' own questions.

The questions in search_eval.yml are written as customers type (typos,
fragments, long indirect questions); the figures are the issue's targets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.article_files import load_articles_dir
from knowledge_base.evaluation import evaluate, load_questions
from knowledge_base.search import SearchIndex
from knowledge_base.settings import KnowledgeBaseSettings

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
ARTICLES = HERE.parents[1] / "knowledge_base" / "articles"


@pytest.fixture(scope="module")
def index(embedder) -> SearchIndex:  # type: ignore[no-untyped-def]
    articles = load_articles_dir(ARTICLES)
    vectors = embedder.encode([text for article in articles for text in article.search_texts()])
    return SearchIndex(articles, vectors, embedder.general_words())


@pytest.fixture(scope="module")
def report(index: SearchIndex, embedder):  # type: ignore[no-untyped-def]
    questions = load_questions(HERE / "search_eval.yml")
    assert len(questions.in_scope) >= 150 and len(questions.out_of_scope) >= 30

    def search(question: str, limit: int):  # type: ignore[no-untyped-def]
        normalised = index.normalise(question)
        return index.search(embedder.encode_one(normalised), normalised, limit)

    return evaluate(search, questions, KnowledgeBaseSettings())


def test_the_right_article_comes_first(report) -> None:  # type: ignore[no-untyped-def]
    assert report.top1 >= 0.90, report.summary() + "\n" + "\n".join(map(str, report.misses))


def test_the_right_article_is_in_the_top_three(report) -> None:  # type: ignore[no-untyped-def]
    assert report.top3 >= 0.97, report.summary()


def test_out_of_scope_questions_fall_below_the_answer_threshold(report) -> None:  # type: ignore[no-untyped-def]
    assert report.out_of_scope_rejected >= 0.90, report.summary() + "\n" + "\n".join(map(str, report.false_answers))


def test_most_in_scope_questions_are_answered_outright(report) -> None:  # type: ignore[no-untyped-def]
    # A rule so strict that nothing is answered would pass the test above trivially. The calibrated rule
    # trades outright answers for declined near misses (BENCHMARKS.md, issue 12): about 59% here, the right
    # article first in the suggestions for most of the rest.
    assert report.answered >= 0.55, report.summary()
    assert report.correct_answered >= 0.97 * report.answered, "nearly everything answered outright is right"


def test_typos_land_on_the_same_article(index: SearchIndex, embedder) -> None:  # type: ignore[no-untyped-def]
    for clean, typo in [
        ("how long does a refund take", "how lnog dose a refnud take"),
        ("can i track my package", "can i trak my pakage"),
    ]:
        results = []
        for question in (clean, typo):
            normalised = index.normalise(question)
            results.append(index.search(embedder.encode_one(normalised), normalised, 1)[0].slug)
        assert results[0] == results[1], (clean, typo, results)
