"""The action server's shared resources, opened on first use (never at import) and once per process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import sessionmaker

from crm_store import clock
from crm_store.db import create_engine, session_factory, unit_of_work
from crm_store.settings import StoreSettings
from knowledge_base.by_language import chinese_knowledge_base
from knowledge_base.embedding import Embedder
from knowledge_base.language import CHINESE
from knowledge_base.search import KnowledgeBase
from knowledge_base.settings import KnowledgeBaseSettings


@dataclass
class Runtime:
    store: StoreSettings
    engine: AsyncEngine
    sessions: sessionmaker
    knowledge_base: KnowledgeBase
    chinese_knowledge_base: KnowledgeBase | None = None  # built on first Chinese question

    def knowledge_base_for(self, language: str) -> KnowledgeBase:
        """The search in the customer's language: Chinese versions with the multilingual model, or English."""
        if language != CHINESE:
            return self.knowledge_base
        if self.chinese_knowledge_base is None:
            chinese = KnowledgeBaseSettings.from_env().for_chinese()
            self.chinese_knowledge_base = chinese_knowledge_base(self.sessions, chinese)
        return self.chinese_knowledge_base


_runtime: Runtime | None = None
_lock = asyncio.Lock()


async def runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        async with _lock:
            if _runtime is None:
                store, kb = StoreSettings.from_env(), KnowledgeBaseSettings.from_env()
                clock.install_from_setting(store.clock_start)
                engine = create_engine(store.database_url)
                sessions = session_factory(engine)
                knowledge_base = KnowledgeBase.from_settings(sessions, Embedder(kb.embedding_model), kb)
                _runtime = Runtime(store, engine, sessions, knowledge_base)
    return _runtime


def install(custom: Runtime | None) -> None:
    """Tests point the actions at their own database and knowledge base."""
    global _runtime
    _runtime = custom


@asynccontextmanager
async def transaction() -> AsyncIterator[AsyncSession]:
    async with unit_of_work((await runtime()).sessions) as session:
        yield session
