"""Actions run against a real, seeded SQLite database and the real knowledge base."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from actions import runtime as action_runtime
from bot.signing import ENV_INTERNAL_SECRET
from crm_store import clock, migrate
from crm_store.db import create_engine, session_factory, unit_of_work
from crm_store.demo_data import generate, seed_database
from crm_store.settings import StoreSettings
from knowledge_base.importer import import_directory
from knowledge_base.search import KnowledgeBase
from knowledge_base.settings import KnowledgeBaseSettings
from tests.actions.trackers import TEST_SECRET

ARTICLES = Path(__file__).resolve().parents[2] / "knowledge_base" / "articles"


@pytest.fixture(autouse=True)
def internal_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """The action server's environment: the secret the gateway signs identities with."""
    monkeypatch.setenv(ENV_INTERNAL_SECRET, TEST_SECRET)


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory: pytest.TempPathFactory, embedder) -> str:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path_factory.mktemp('actions') / 'shop.db'}"
    migrate.upgrade(url)

    async def fill() -> None:
        engine = create_engine(url)
        sessions = session_factory(engine)
        async with unit_of_work(sessions) as session:
            await seed_database(session, generate(customers=30, orders=90, today=clock.today()))
        await import_directory(sessions, embedder, ARTICLES)
        await engine.dispose()

    asyncio.run(fill())
    return url


@pytest.fixture
async def shop(seeded_url: str, embedder) -> AsyncIterator[action_runtime.Runtime]:  # type: ignore[no-untyped-def]
    store, kb = StoreSettings(database_url=seeded_url), KnowledgeBaseSettings()
    engine = create_engine(seeded_url)
    sessions = session_factory(engine)
    knowledge_base = KnowledgeBase.from_settings(sessions, embedder, kb)
    runtime = action_runtime.Runtime(store, engine, sessions, knowledge_base)
    action_runtime.install(runtime)
    try:
        yield runtime
    finally:
        action_runtime.install(None)
        await engine.dispose()
