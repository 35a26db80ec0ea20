"""Changing articles from the trainer console: every change is versioned, audited and live at once.

Each change is one transaction: the article, its questions, a version
snapshot, an audit entry and the knowledge-base revision (which makes every
running process reload its index on its next search). Embeddings for new
texts are computed before the transaction opens.
"""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from crm_store.db import unit_of_work
from crm_store.errors import Conflict, NotFound
from crm_store.models import Article, ArticleVersion, NegativeLesson
from crm_store.models.base import utcnow
from crm_store.repositories import ArticleRepository, AuditRepository
from knowledge_base.article_files import TRANSLATION_LANGUAGES, ArticleData
from knowledge_base.embedding import Embedder
from knowledge_base.store import (
    article_data,
    compute_embeddings,
    from_snapshot,
    record_version,
    snapshot,
    stored_embeddings,
)

DIFF_FIELDS = ("title", "category", "status", "tags", "answer", "questions")
TRANSLATED_FIELDS = ("title", "answer", "questions")  # each language's, diffed as "zh.title" and so on
MAX_LESSON_CHARS = 1000


class KnowledgeBaseEditor:
    def __init__(self, sessions: sessionmaker, embedder: Embedder) -> None:
        self.sessions = sessions
        self.embedder = embedder

    async def _embed(self, data: ArticleData) -> dict[str, bytes]:
        texts = data.search_texts()
        async with unit_of_work(self.sessions) as session:
            known = await stored_embeddings(session, self.embedder, texts)
        return await compute_embeddings(self.embedder, texts, known=known)

    async def _finish(
        self,
        session: Any,
        article: Article,
        data: ArticleData,
        actor: str,
        action: str,
        summary: str,
        vectors: dict[str, bytes],
    ) -> None:
        repository = ArticleRepository(session)
        if vectors:
            await repository.add_embeddings(self.embedder.model_name, self.embedder.dimensions, vectors)
        await record_version(session, article, data, actor, summary)
        await AuditRepository(session).record(
            actor, action, "article", article.slug, {"version": article.version, "summary": summary}
        )
        await repository.bump_revision()

    async def create(self, data: ArticleData, actor: str) -> ArticleData:
        vectors = await self._embed(data)
        async with unit_of_work(self.sessions) as session:
            repository = ArticleRepository(session)
            if await repository.by_slug(data.slug) is not None:
                raise Conflict(f"an article with the slug {data.slug!r} exists already")
            article = await repository.add(
                Article(
                    slug=data.slug,
                    title=data.title,
                    category=data.category,
                    tags=list(data.tags),
                    answer=data.answer,
                    translations=data.translations_as_dict(),
                    status=data.status,
                    origin="console",
                    version=1,
                    content_hash=data.content_hash,
                ),
                data.questions,
            )
            await self._finish(session, article, data, actor, "kb.article_created", "created", vectors)
        return data

    async def update(
        self, data: ArticleData, actor: str, *, base_version: int | None, summary: str = "edited"
    ) -> ArticleData:
        vectors = await self._embed(data)
        async with unit_of_work(self.sessions) as session:
            repository = ArticleRepository(session)
            article = await repository.by_slug(data.slug)
            if article is None:
                raise NotFound(f"no article {data.slug!r}")
            if base_version is not None and article.version != base_version:
                raise Conflict(
                    f"article {data.slug!r} is at version {article.version}, not {base_version}: someone else changed it"
                )
            if article.content_hash == data.content_hash:
                return article_data(article)
            article.title, article.category, article.tags = data.title, data.category, list(data.tags)
            article.answer, article.status, article.content_hash = data.answer, data.status, data.content_hash
            article.translations = data.translations_as_dict()
            article.origin = "console"  # from now on the database wins over the files on import
            article.version += 1
            article.updated_at = utcnow()
            await repository.replace_questions(article, data.questions)
            await self._finish(session, article, data, actor, "kb.article_changed", summary, vectors)
        return data

    async def current(self, slug: str) -> ArticleData:
        async with unit_of_work(self.sessions) as session:
            article = await ArticleRepository(session).by_slug(slug)
            if article is None:
                raise NotFound(f"no article {slug!r}")
            return article_data(article)

    async def set_status(self, slug: str, status: str, actor: str) -> ArticleData:
        data = await self.current(slug)
        changed = ArticleData(**{**data.__dict__, "status": status})
        return await self.update(changed, actor, base_version=None, summary=f"status → {status}")

    async def add_question(self, slug: str, question: str, actor: str) -> ArticleData:
        data = await self.current(slug)
        if question in data.questions:
            return data
        changed = ArticleData(**{**data.__dict__, "questions": (*data.questions, question)})
        return await self.update(changed, actor, base_version=None, summary="added a question variant")

    # Negative lessons: live at once, like any other change ---------------------------------------

    async def negative_lessons(self) -> list[NegativeLesson]:
        async with unit_of_work(self.sessions) as session:
            return await ArticleRepository(session).negative_lessons()

    async def add_negative_lesson(self, question: str, slug: str | None, actor: str) -> NegativeLesson:
        """ "Don't answer ``question`` (or its rewordings) with article ``slug``": with none, if ``slug`` is None."""
        question = " ".join(question.split())
        if not question or len(question) > MAX_LESSON_CHARS:
            raise ValueError(f"question: 1 to {MAX_LESSON_CHARS} characters")
        # Only a text never embedded before gets a new vector: the same wording may be an article's
        # question or a removed lesson's, and storing its vector twice broke the unique index (a 500).
        async with unit_of_work(self.sessions) as session:
            known = await stored_embeddings(session, self.embedder, [question])
        vectors = await compute_embeddings(self.embedder, [question], known=known)
        async with unit_of_work(self.sessions) as session:
            repository = ArticleRepository(session)
            if slug is not None and await repository.by_slug(slug) is None:
                raise NotFound(f"no article {slug!r}")
            for existing in await repository.negative_lessons():
                if existing.question == question and existing.article_slug == slug:
                    return existing
            if vectors:
                await repository.add_embeddings(self.embedder.model_name, self.embedder.dimensions, vectors)
            lesson = await repository.add_negative_lesson(
                NegativeLesson(question=question, article_slug=slug, actor=actor)
            )
            await AuditRepository(session).record(
                actor, "kb.negative_lesson_added", "negative_lesson", lesson.id, {"question": question, "article": slug}
            )
            await repository.bump_revision()
            return lesson

    async def remove_negative_lesson(self, lesson_id: int, actor: str) -> None:
        async with unit_of_work(self.sessions) as session:
            repository = ArticleRepository(session)
            if not await repository.remove_negative_lesson(lesson_id):
                raise NotFound(f"no negative lesson {lesson_id}")
            await AuditRepository(session).record(actor, "kb.negative_lesson_removed", "negative_lesson", lesson_id, {})
            await repository.bump_revision()

    async def history(self, slug: str) -> list[ArticleVersion]:
        async with unit_of_work(self.sessions) as session:
            article = await ArticleRepository(session).by_slug(slug)
            if article is None:
                raise NotFound(f"no article {slug!r}")
            result = await session.execute(
                select(ArticleVersion)
                .where(ArticleVersion.article_id == article.id)
                .order_by(ArticleVersion.version.desc())
            )
            return list(result.scalars())

    async def _version(self, slug: str, version: int) -> ArticleData:
        for entry in await self.history(slug):
            if entry.version == version:
                return from_snapshot(slug, entry.snapshot)
        raise NotFound(f"article {slug!r} has no version {version}")

    async def revert(self, slug: str, version: int, actor: str) -> ArticleData:
        old = await self._version(slug, version)
        return await self.update(old, actor, base_version=None, summary=f"reverted to version {version}")

    async def diff(self, slug: str, from_version: int, to_version: int) -> list[dict[str, Any]]:
        before, after = (
            snapshot(await self._version(slug, from_version)),
            snapshot(await self._version(slug, to_version)),
        )
        changes = []
        old_lines, new_lines = _diffed_lines(before), _diffed_lines(after)
        for name, old in old_lines.items():
            new = new_lines[name]
            if old == new:
                continue
            lines = [
                {"op": line[0], "text": line[2:]} for line in difflib.ndiff(old, new) if line[:1] in ("+", "-", " ")
            ]
            changes.append({"field": name, "lines": lines})
        return changes


def _diffed_lines(snap: dict[str, object]) -> dict[str, list[str]]:
    """Each diffed field's lines: the English fields, then each language's (none when it has no version)."""
    lines = {name: _lines(snap[name]) for name in DIFF_FIELDS}
    translations = snap.get("translations")
    for language in TRANSLATION_LANGUAGES:
        text = translations.get(language) if isinstance(translations, dict) else None
        for name in TRANSLATED_FIELDS:
            lines[f"{language}.{name}"] = _lines(text[name]) if isinstance(text, dict) and name in text else []
    return lines


def _lines(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return str(value).splitlines() or [""]
