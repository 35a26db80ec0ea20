"""Negative lessons: the real knowledge base, the real embedding model, real databases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from crm_store.db import unit_of_work
from crm_store.errors import NotFound
from crm_store.models import AuditEntry
from knowledge_base.article_files import ArticleData, load_article_file
from knowledge_base.editing import KnowledgeBaseEditor
from knowledge_base.importer import import_directory
from knowledge_base.negative import NegativeLesson, NegativeLessons
from knowledge_base.search import KnowledgeBase, SearchHit, decide
from knowledge_base.settings import KnowledgeBaseSettings

ARTICLES = Path(__file__).resolve().parents[2] / "knowledge_base" / "articles"


def hit(slug: str, score: float, *, ruled_out: bool = False) -> SearchHit:
    return SearchHit(slug, slug, "", "misc", score, score, 0.0, "", question_similarity=score, ruled_out=ruled_out)


def test_a_ruled_out_article_is_neither_answered_nor_suggested() -> None:
    outcome = decide(
        [hit("down-jacket-care", 0.9, ruled_out=True), hit("wool-care", 0.7), hit("other", 0.31)],
        answer_threshold=0.5,
        answer_margin=0.1,
        suggest_threshold=0.3,
        suggestions=3,
    )
    assert outcome.verdict == "answer"
    assert [h.slug for h in outcome.hits] == ["wool-care"]


def test_a_lesson_rules_out_its_article_unless_the_article_has_a_closer_variant() -> None:
    lessons = NegativeLessons(
        [NegativeLesson("wool sweater", "b"), NegativeLesson("teacher discount", None)],
        np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32),
        ["a", "b", "c"],
    )
    near_first = np.array([0.9, 0.1, 0.0], dtype=np.float32)
    assert lessons.ruled_out(near_first, np.array([0.5, 0.5, 0.5])).tolist() == [False, True, False]
    assert lessons.ruled_out(near_first, np.array([0.5, 0.95, 0.5])).tolist() == [False, False, False]
    near_second = np.array([0.0, 0.8, 0.6], dtype=np.float32)
    # "Nothing answers this": every article, except one whose own variant is closer than the lesson.
    assert lessons.ruled_out(near_second, np.array([0.5, 0.9, 0.2])).tolist() == [True, False, True]
    far = np.array([0.0, 0.0, 1.0], dtype=np.float32)
    assert not lessons.ruled_out(far, np.zeros(3)).any()


def test_a_lesson_for_an_article_not_published_rules_nothing_out() -> None:
    lessons = NegativeLessons([NegativeLesson("q", "archived")], np.array([[1.0, 0.0]], np.float32), ["a"])
    assert lessons.ruled_out(np.array([1.0, 0.0], np.float32), np.zeros(1)).tolist() == [False]


@pytest.mark.slow
async def test_a_wrong_answer_lesson_stops_that_answer_live_and_leaves_its_neighbours(sessions, embedder) -> None:
    await import_directory(sessions, embedder, ARTICLES)
    settings = KnowledgeBaseSettings()
    knowledge_base = KnowledgeBase.from_settings(sessions, embedder, settings)
    editor = KnowledgeBaseEditor(sessions, embedder)
    question = "how do I wash the wool sweater"
    before = await knowledge_base.answer(question)
    assert before.hits and before.hits[0].slug == "down-jacket-care"  # the confident mistake the lesson corrects

    lesson = await editor.add_negative_lesson(question, "down-jacket-care", "trainer-1")

    after = await knowledge_base.answer(question)
    assert "down-jacket-care" not in [h.slug for h in after.hits]
    assert not (after.verdict == "answer" and after.hits[0].slug == "down-jacket-care")
    # Its own article's questions still get it: the down-jacket variants are closer than the lesson.
    jacket = await knowledge_base.answer("how do I wash my down jacket")
    assert jacket.verdict == "answer" and jacket.hits[0].slug == "down-jacket-care"
    async with unit_of_work(sessions) as session:
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert "kb.negative_lesson_added" in actions

    await editor.remove_negative_lesson(lesson.id, "trainer-1")
    assert (await knowledge_base.answer(question)).hits[0].slug == "down-jacket-care"
    with pytest.raises(NotFound):
        await editor.remove_negative_lesson(lesson.id, "trainer-1")


@pytest.mark.slow
async def test_nothing_answers_this_declines_until_an_article_is_taught_the_question(sessions, embedder) -> None:
    await import_directory(sessions, embedder, ARTICLES)
    knowledge_base = KnowledgeBase.from_settings(sessions, embedder, KnowledgeBaseSettings())
    editor = KnowledgeBaseEditor(sessions, embedder)
    question = "do you have a military discount"
    await editor.add_negative_lesson(question, None, "trainer-1")
    assert (await knowledge_base.answer(question)).verdict == "none"
    # The same lesson twice is one lesson.
    again = await editor.add_negative_lesson(f"  {question} ", None, "trainer-1")
    assert len(await editor.negative_lessons()) == 1 and again.question == question

    await editor.create(
        ArticleData(
            slug="military-discount",
            title="Do you have a military discount?",
            category="promotions",
            answer="Yes: service members and veterans get 10% off with a verified ID.",
            questions=(question,),
        ),
        "trainer-1",
    )
    taught = await knowledge_base.answer(question)
    assert taught.verdict == "answer" and taught.hits[0].slug == "military-discount"


@pytest.mark.slow
async def test_a_lesson_for_an_unknown_article_is_refused(sessions, embedder) -> None:
    editor = KnowledgeBaseEditor(sessions, embedder)
    with pytest.raises(NotFound):
        await editor.add_negative_lesson("anything", "no-such-article", "trainer-1")
    assert await editor.negative_lessons() == []


async def test_a_lesson_may_reuse_wording_already_embedded(sessions, embedder) -> None:
    # Found by schemathesis: the wording of an article's question, or of a removed lesson, answered 500
    # (the vector was stored a second time, against the unique index of text_embeddings).
    await import_directory(sessions, embedder, ARTICLES)
    editor = KnowledgeBaseEditor(sessions, embedder)
    article_question = load_article_file(ARTICLES / "down-jacket-care.yml").questions[0]
    first = await editor.add_negative_lesson(article_question, "down-jacket-care", "trainer-1")
    await editor.remove_negative_lesson(first.id, "trainer-1")
    again = await editor.add_negative_lesson(article_question, None, "trainer-1")
    assert [(lesson.question, lesson.article_slug) for lesson in await editor.negative_lessons()] == [
        (again.question, None)
    ]
