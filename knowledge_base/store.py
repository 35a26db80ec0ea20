"""Articles in the database: converting to and from ArticleData, and embeddings computed only once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import Article
from crm_store.repositories import ArticleRepository
from knowledge_base.article_files import ArticleData, translations_from
from knowledge_base.embedding import Embedder, text_hash, to_bytes

Progress = Callable[[str], None]
EMBED_CHUNK = 20_000  # texts embedded per step of an import
LOAD_CHUNK = 20_000  # stored vectors read per step when the index loads


def article_data(article: Article) -> ArticleData:
    return ArticleData(
        slug=article.slug,
        title=article.title,
        category=article.category,
        answer=article.answer,
        questions=tuple(question.text for question in article.questions),
        tags=tuple(article.tags or ()),
        status=article.status,
        translations=translations_from(article.translations),
    )


async def compute_embeddings(
    embedder: Embedder, texts: Iterable[str], known: Iterable[str] = (), progress: Progress | None = None
) -> dict[str, bytes]:
    """Embeddings for the texts whose hash is not in ``known``, keyed by hash. Runs off the event loop.

    In chunks, so a large import never holds the vectors twice (as an array and as bytes).
    """
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
    items = list(pending.items())
    chunked = len(items) > EMBED_CHUNK
    result: dict[str, bytes] = {}
    for start in range(0, len(items), EMBED_CHUNK):
        chunk = items[start : start + EMBED_CHUNK]
        vectors = await asyncio.to_thread(
            embedder.encode, [text for _, text in chunk], show_progress=progress is not None and not chunked
        )
        result.update((digest, to_bytes(vector)) for (digest, _), vector in zip(chunk, vectors, strict=True))
        if progress and chunked:
            progress(f"embedded {start + len(chunk)} of {len(items)}")
    return result


async def stored_embeddings(session: AsyncSession, embedder: Embedder, texts: Iterable[str]) -> dict[str, bytes]:
    return await ArticleRepository(session).embeddings(embedder.model_name, (text_hash(text) for text in texts))


async def load_vectors(
    session: AsyncSession, embedder: Embedder, texts: list[str], progress: Progress | None = None
) -> np.ndarray:
    """A matrix with one row per text, computing and storing any embedding not stored yet.

    Read in chunks straight into the matrix: at 100,000 articles (600,000 texts, 0.9 GB of vectors) the
    stored bytes are never all in memory beside it.
    """
    repository = ArticleRepository(session)
    hashes = [text_hash(text) for text in texts]
    matrix: np.ndarray | None = None
    missing: dict[str, list[int]] = {}  # hash -> rows still without a vector
    for start in range(0, len(hashes), LOAD_CHUNK):
        chunk = hashes[start : start + LOAD_CHUNK]
        found = await repository.embeddings(embedder.model_name, chunk)
        for row, digest in enumerate(chunk, start):
            data = found.get(digest)
            if data is None:
                missing.setdefault(digest, []).append(row)
                continue
            if matrix is None:
                matrix = np.empty((len(texts), len(data) // 4), dtype=np.float32)
            matrix[row] = np.frombuffer(data, dtype="<f4")
    if matrix is None:
        matrix = np.zeros((len(texts), embedder.dimensions), dtype=np.float32)
    if missing:
        computed = await compute_embeddings(embedder, [texts[rows[0]] for rows in missing.values()], progress=progress)
        await repository.add_embeddings(embedder.model_name, embedder.dimensions, computed)
        for digest, rows in missing.items():
            matrix[rows] = np.frombuffer(computed[digest], dtype="<f4")
    return matrix


def snapshot(data: ArticleData) -> dict[str, object]:
    return {
        "title": data.title,
        "category": data.category,
        "tags": list(data.tags),
        "answer": data.answer,
        "questions": list(data.questions),
        "status": data.status,
        "translations": data.translations_as_dict(),
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
        translations=translations_from(snap.get("translations")),
    )


async def record_version(session: AsyncSession, article: Article, data: ArticleData, actor: str, summary: str) -> None:
    await record_versions(session, [(article, data)], actor, summary)


async def record_versions(
    session: AsyncSession, changes: Iterable[tuple[Article, ArticleData]], actor: str, summary: str
) -> None:
    """A version snapshot per (article, its new content), with one flush."""
    from crm_store.models import ArticleVersion

    session.add_all(
        ArticleVersion(
            article_id=article.id, version=article.version, snapshot=snapshot(data), actor=actor, summary=summary
        )
        for article, data in changes
    )
    await session.flush()
