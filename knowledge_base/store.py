"""Articles in the database: converting to and from ArticleData, and embeddings computed only once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import Article
from crm_store.repositories import ArticleRepository
from knowledge_base.article_files import ArticleData
from knowledge_base.embedding import Embedder, from_bytes, text_hash, to_bytes

Progress = Callable[[str], None]


def article_data(article: Article) -> ArticleData:
    return ArticleData(
        slug=article.slug,
        title=article.title,
        category=article.category,
        answer=article.answer,
        questions=tuple(question.text for question in article.questions),
        tags=tuple(article.tags or ()),
        status=article.status,
    )


async def compute_embeddings(
    embedder: Embedder, texts: Iterable[str], known: Iterable[str] = (), progress: Progress | None = None
) -> dict[str, bytes]:
    """Embeddings for the texts whose hash is not in ``known``, keyed by hash. Runs off the event loop."""
    skip = set(known)
    pending: dict[str, str] = {}
    for text in texts:
        digest = text_hash(text)
        if digest not in skip:
            pending.setdefault(digest, text)
    if not pending:
        return {}
    if progress:
        progress(f"embedding {len(pending)} new or changed text(s) with {embedder.model_name}")
    vectors = await asyncio.to_thread(embedder.encode, list(pending.values()), show_progress=progress is not None)
    return {digest: to_bytes(vector) for digest, vector in zip(pending, vectors, strict=True)}


async def stored_embeddings(session: AsyncSession, embedder: Embedder, texts: Iterable[str]) -> dict[str, bytes]:
    return await ArticleRepository(session).embeddings(embedder.model_name, (text_hash(text) for text in texts))


async def load_vectors(
    session: AsyncSession, embedder: Embedder, texts: list[str], progress: Progress | None = None
) -> np.ndarray:
    """A matrix with one row per text, computing and storing any embedding not stored yet."""
    repository = ArticleRepository(session)
    stored = await stored_embeddings(session, embedder, texts)
    missing = await compute_embeddings(embedder, texts, known=stored, progress=progress)
    if missing:
        await repository.add_embeddings(embedder.model_name, embedder.dimensions, missing)
        stored.update(missing)
    if not texts:
        return np.zeros((0, embedder.dimensions), dtype=np.float32)
    return np.vstack([from_bytes(stored[text_hash(text)]) for text in texts])


def snapshot(data: ArticleData) -> dict[str, object]:
    return {
        "title": data.title,
        "category": data.category,
        "tags": list(data.tags),
        "answer": data.answer,
        "questions": list(data.questions),
        "status": data.status,
    }


def from_snapshot(slug: str, snap: dict[str, object]) -> ArticleData:
    return ArticleData(
        slug=slug,
        title=str(snap["title"]),
        category=str(snap["category"]),
        answer=str(snap["answer"]),
        questions=tuple(snap["questions"]),  # type: ignore[arg-type]
        tags=tuple(snap.get("tags") or ()),  # type: ignore[arg-type]
        status=str(snap.get("status", "published")),
    )


async def record_version(session: AsyncSession, article: Article, data: ArticleData, actor: str, summary: str) -> None:
    from crm_store.models import ArticleVersion

    session.add(
        ArticleVersion(
            article_id=article.id, version=article.version, snapshot=snapshot(data), actor=actor, summary=summary
        )
    )
    await session.flush()
