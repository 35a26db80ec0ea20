from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from crm_store.models import Article, ArticleQuestion, KnowledgeBaseRevision, NegativeLesson, TextEmbedding
from crm_store.models.base import utcnow

_REVISION_ROW = 1


class ArticleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self, *, statuses: Sequence[str] | None = None) -> list[Article]:
        query = select(Article).options(selectinload(Article.questions)).order_by(Article.slug)
        if statuses is not None:
            query = query.where(Article.status.in_(statuses))
        return list((await self.session.execute(query)).scalars())

    async def by_slug(self, slug: str) -> Article | None:
        result = await self.session.execute(
            select(Article).where(Article.slug == slug).options(selectinload(Article.questions))
        )
        return result.scalar_one_or_none()

    async def add(self, article: Article, questions: Iterable[str]) -> Article:
        article.questions = [ArticleQuestion(position=i, text=text) for i, text in enumerate(questions)]
        self.session.add(article)
        await self.session.flush()
        return article

    async def add_many(self, items: Iterable[tuple[Article, Iterable[str]]]) -> list[Article]:
        """Like ``add`` for many articles, with one flush."""
        articles = []
        for article, questions in items:
            article.questions = [ArticleQuestion(position=i, text=text) for i, text in enumerate(questions)]
            self.session.add(article)
            articles.append(article)
        await self.session.flush()
        return articles

    async def replace_questions(self, article: Article, questions: Iterable[str]) -> None:
        # The relationship's delete-orphan cascade removes the old rows.
        article.questions = [ArticleQuestion(position=i, text=text) for i, text in enumerate(questions)]
        await self.session.flush()

    async def remove(self, article: Article) -> None:
        await self.session.delete(article)
        await self.session.flush()

    # Embeddings -------------------------------------------------------------

    async def embeddings(self, model: str, text_hashes: Iterable[str]) -> dict[str, bytes]:
        wanted = list(set(text_hashes))
        found: dict[str, bytes] = {}
        # Chunked so a 100k-article knowledge base stays under parameter limits.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            result = await self.session.execute(
                select(TextEmbedding.text_hash, TextEmbedding.vector).where(
                    TextEmbedding.model == model, TextEmbedding.text_hash.in_(chunk)
                )
            )
            found.update({text_hash: vector for text_hash, vector in result.all()})
        return found

    async def add_embeddings(self, model: str, dimensions: int, vectors: dict[str, bytes]) -> None:
        # A bulk insert, not one ORM object per row: importing 100,000 articles stores 600,000 vectors.
        items = list(vectors.items())
        for start in range(0, len(items), 5000):
            await self.session.execute(
                insert(TextEmbedding),
                [
                    {"model": model, "text_hash": text_hash, "dimensions": dimensions, "vector": vector}
                    for text_hash, vector in items[start : start + 5000]
                ],
            )

    # Negative lessons -------------------------------------------------------

    async def negative_lessons(self) -> list[NegativeLesson]:
        return list((await self.session.execute(select(NegativeLesson).order_by(NegativeLesson.id))).scalars())

    async def add_negative_lesson(self, lesson: NegativeLesson) -> NegativeLesson:
        self.session.add(lesson)
        await self.session.flush()
        return lesson

    async def remove_negative_lesson(self, lesson_id: int) -> bool:
        result = await self.session.execute(delete(NegativeLesson).where(NegativeLesson.id == lesson_id))
        return bool(result.rowcount)

    # Revision counter -------------------------------------------------------

    async def revision(self) -> int:
        result = await self.session.execute(
            select(KnowledgeBaseRevision.revision).where(KnowledgeBaseRevision.id == _REVISION_ROW)
        )
        return result.scalar_one_or_none() or 0

    async def bump_revision(self) -> int:
        """Mark the knowledge base changed; call in the same transaction as the change."""
        result = await self.session.execute(
            update(KnowledgeBaseRevision)
            .where(KnowledgeBaseRevision.id == _REVISION_ROW)
            .values(revision=KnowledgeBaseRevision.revision + 1, changed_at=utcnow())
        )
        if result.rowcount == 0:
            self.session.add(KnowledgeBaseRevision(id=_REVISION_ROW, revision=1, changed_at=utcnow()))
            await self.session.flush()
        return await self.revision()
