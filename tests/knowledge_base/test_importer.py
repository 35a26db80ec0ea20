"""Import and export against real databases with the real embedding model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm_store.db import unit_of_work
from crm_store.models import ArticleVersion, AuditEntry, TextEmbedding
from crm_store.repositories import ArticleRepository
from knowledge_base import importer
from knowledge_base.article_files import load_articles_dir
from knowledge_base.errors import ArticleFilesInvalid
from knowledge_base.importer import export_directory, import_directory
from knowledge_base.search import KnowledgeBase

pytestmark = pytest.mark.slow

ARTICLES = Path(__file__).resolve().parents[2] / "knowledge_base" / "articles"


def article(title: str, answer: str, *questions: str) -> str:
    lines = [f"title: {title}", "category: policies", "answer: |", f"  {answer}", "questions:"]
    return "\n".join(lines + [f"  - {question}" for question in questions]) + "\n"


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "articles"
    directory.mkdir()
    (directory / "gift-wrap.yml").write_text(
        article(
            "Do you gift-wrap?",
            "Yes, gift wrapping costs $4.95 per order.",
            "can you wrap it as a gift",
            "gift wrapping cost",
        )
    )
    (directory / "price-match.yml").write_text(
        article(
            "Do you price match?",
            "We match identical in-stock items from major US retailers.",
            "price match",
            "cheaper elsewhere",
        )
    )
    (directory / "store-hours.yml").write_text(
        article(
            "When is support open?", "Chat and phone: Mon-Fri 8:00-20:00 ET.", "opening hours", "when can I call you"
        )
    )
    return directory


async def _embedding_count(sessions) -> int:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        return (await session.execute(select(func.count()).select_from(TextEmbedding))).scalar_one()


async def test_import_is_idempotent_and_reports_changes(sessions, embedder, articles_dir: Path) -> None:
    first = await import_directory(sessions, embedder, articles_dir)
    assert sorted(first.added) == ["gift-wrap", "price-match", "store-hours"]
    assert first.embedded == 3 * 4  # title, two questions, answer
    assert await _embedding_count(sessions) == 12

    again = await import_directory(sessions, embedder, articles_dir)
    assert (again.added, again.changed, again.removed, again.unchanged, again.embedded) == ([], [], [], 3, 0)

    (articles_dir / "gift-wrap.yml").write_text(
        article(
            "Do you gift-wrap?",
            "Yes, gift wrapping costs $5.95 per order.",
            "can you wrap it as a gift",
            "gift wrapping cost",
        )
    )
    (articles_dir / "store-hours.yml").unlink()
    changed = await import_directory(sessions, embedder, articles_dir)
    assert (changed.added, changed.changed, changed.removed) == ([], ["gift-wrap"], ["store-hours"])
    assert changed.embedded == 1, "only the changed answer is embedded again"

    async with unit_of_work(sessions) as session:
        repository = ArticleRepository(session)
        gift = await repository.by_slug("gift-wrap")
        assert gift is not None and gift.version == 2 and "$5.95" in gift.answer
        assert await repository.by_slug("store-hours") is None
        assert await repository.revision() == 2
        audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "kb.import"))).scalars().all()
    assert len(audit) == 2


async def test_new_articles_written_in_several_batches_keep_their_questions_and_versions(
    sessions, embedder, articles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "ADD_BATCH", 2)
    report = await import_directory(sessions, embedder, articles_dir)
    assert sorted(report.added) == ["gift-wrap", "price-match", "store-hours"]
    async with unit_of_work(sessions) as session:
        articles = {article.slug: article for article in await ArticleRepository(session).all()}
        versions = (await session.execute(select(ArticleVersion))).scalars().all()
    assert [question.text for question in articles["store-hours"].questions] == ["opening hours", "when can I call you"]
    assert sorted((articles[slug].id, 1) for slug in articles) == sorted((v.article_id, v.version) for v in versions)
    knowledge_base = KnowledgeBase(sessions, embedder, answer_threshold=0.55, suggest_threshold=0.4)
    assert (await knowledge_base.search("what time can i phone you"))[0].slug == "store-hours"


async def test_a_failed_import_changes_nothing(sessions, embedder, articles_dir: Path) -> None:
    await import_directory(sessions, embedder, articles_dir)
    (articles_dir / "gift-wrap.yml").write_text(
        article("Do you gift-wrap?", "It now costs $9.", "can you wrap it as a gift", "gift wrapping cost")
    )
    (articles_dir / "broken.yml").write_text("title: [oops\n")
    with pytest.raises(ArticleFilesInvalid, match="broken.yml"):
        await import_directory(sessions, embedder, articles_dir)
    async with unit_of_work(sessions) as session:
        repository = ArticleRepository(session)
        gift = await repository.by_slug("gift-wrap")
        assert gift is not None and "$4.95" in gift.answer
        assert await repository.revision() == 1


async def test_console_articles_survive_a_file_import(sessions, embedder, articles_dir: Path) -> None:
    await import_directory(sessions, embedder, articles_dir)
    async with unit_of_work(sessions) as session:
        gift = await ArticleRepository(session).by_slug("gift-wrap")
        assert gift is not None
        gift.origin = "console"
    (articles_dir / "gift-wrap.yml").unlink()
    report = await import_directory(sessions, embedder, articles_dir)
    assert report.removed == []


async def test_export_round_trip_of_the_real_articles(sessions, embedder, tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(ARTICLES, source)
    report = await import_directory(sessions, embedder, source)
    assert len(report.added) >= 60
    exported = tmp_path / "exported"
    assert await export_directory(sessions, exported) == len(report.added)
    assert load_articles_dir(exported) == load_articles_dir(source)
    reimport = await import_directory(sessions, embedder, exported)
    assert not reimport.touched


async def test_a_running_search_sees_changes_made_elsewhere(sessions, embedder, articles_dir: Path) -> None:
    await import_directory(sessions, embedder, articles_dir)
    knowledge_base = KnowledgeBase(sessions, embedder, answer_threshold=0.55, suggest_threshold=0.4)
    assert (await knowledge_base.search("do you price match"))[0].slug == "price-match"

    (articles_dir / "loyalty.yml").write_text(
        article(
            "How do reward points work?",
            "Earn 1 point per $1; 100 points are $5 off.",
            "reward points",
            "loyalty program",
        )
    )
    await import_directory(sessions, embedder, articles_dir)  # as another process would
    hits = await knowledge_base.search("how do your reward points work")
    assert hits[0].slug == "loyalty"
    assert knowledge_base.last_loaded_at is not None
