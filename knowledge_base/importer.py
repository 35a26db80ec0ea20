"""Import the article files into the database, and export the database back to files.

An import is one transaction: every file is validated and every new embedding
computed before anything is written, so a failed import changes nothing.
Running it twice in a row changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from crm_store.db import unit_of_work
from crm_store.models import Article
from crm_store.models.base import utcnow
from crm_store.repositories import ArticleRepository, AuditRepository
from knowledge_base.article_files import ArticleData, load_articles_dir, write_articles_dir
from knowledge_base.embedding import Embedder
from knowledge_base.store import (
    Progress,
    article_data,
    compute_embeddings,
    record_version,
    record_versions,
    stored_embeddings,
)

ADD_BATCH = 1000  # new articles written per flush


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited in the trainer console: the database wins
    unchanged: int = 0
    embedded: int = 0

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{self.unchanged} unchanged, {len(self.kept)} kept as edited in the console; {self.embedded} new embedding(s)"
        )


async def import_directory(
    session_factory: sessionmaker,
    embedder: Embedder,
    directory: Path,
    *,
    actor: str = "system",
    progress: Progress | None = None,
) -> ImportReport:
    articles = load_articles_dir(directory)
    if progress:
        progress(f"read {len(articles)} article file(s) from {directory}")
    return await import_articles(session_factory, embedder, articles, actor=actor, progress=progress)


async def import_articles(
    session_factory: sessionmaker,
    embedder: Embedder,
    articles: list[ArticleData],
    *,
    actor: str = "system",
    progress: Progress | None = None,
) -> ImportReport:
    """Make the file-backed articles in the database match ``articles``.

    Articles created in the trainer console (origin ``console``) are left alone.
    """
    texts = [text for article in articles for text in article.search_texts()]
    async with unit_of_work(session_factory) as session:
        known = await stored_embeddings(session, embedder, texts)
    new_vectors = await compute_embeddings(embedder, texts, known=known, progress=progress)

    report = ImportReport(embedded=len(new_vectors))
    async with unit_of_work(session_factory) as session:
        repository = ArticleRepository(session)
        audit = AuditRepository(session)
        if new_vectors:
            await repository.add_embeddings(embedder.model_name, embedder.dimensions, new_vectors)
        existing = {article.slug: article for article in await repository.all()}
        wanted = {article.slug for article in articles}
        new: list[ArticleData] = []
        for data in articles:
            current = existing.get(data.slug)
            if current is None:
                new.append(data)
                report.added.append(data.slug)
            elif current.content_hash != data.content_hash and current.origin == "console":
                report.kept.append(data.slug)
            elif current.content_hash != data.content_hash:
                _apply(current, data)
                await repository.replace_questions(current, data.questions)
                await record_version(session, current, data, actor, "changed in the files")
                report.changed.append(data.slug)
            else:
                report.unchanged += 1
        # In batches, one flush each: a flush per article made importing 100,000 articles take minutes longer.
        for start in range(0, len(new), ADD_BATCH):
            batch = new[start : start + ADD_BATCH]
            added = await repository.add_many((_new_article(data), data.questions) for data in batch)
            await record_versions(session, zip(added, batch, strict=True), actor, "imported from files")
        for slug, article in existing.items():
            if slug not in wanted and article.origin == "files":
                await repository.remove(article)
                report.removed.append(slug)
        if report.touched:
            await repository.bump_revision()
            await audit.record(
                actor,
                "kb.import",
                "knowledge_base",
                "articles",
                {"added": report.added, "changed": report.changed, "removed": report.removed},
            )
    return report


def _new_article(data: ArticleData) -> Article:
    return Article(
        slug=data.slug,
        title=data.title,
        category=data.category,
        tags=list(data.tags),
        answer=data.answer,
        translations=data.translations_as_dict(),
        status=data.status,
        origin="files",
        version=1,
        content_hash=data.content_hash,
    )


def _apply(article: Article, data: ArticleData) -> None:
    article.title = data.title
    article.category = data.category
    article.tags = list(data.tags)
    article.answer = data.answer
    article.translations = data.translations_as_dict()
    article.status = data.status
    article.content_hash = data.content_hash
    article.version += 1
    article.updated_at = utcnow()


async def export_directory(session_factory: sessionmaker, directory: Path) -> int:
    """Write every article (any status, any origin) to ``directory``; returns how many."""
    async with unit_of_work(session_factory) as session:
        articles = [article_data(article) for article in await ArticleRepository(session).all()]
    return write_articles_dir(directory, articles)
