"""The whole product on free ports: a seeded SQLite database, the trained model, and the three processes."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from crm_store import migrate
from crm_store.db import create_engine, session_factory, unit_of_work
from crm_store.demo_data import generate, seed_database
from crm_store.settings import PROJECT_ROOT, Settings
from handoff.stack import Stack, build_services, with_secrets
from handoff.training import ensure_model
from knowledge_base.embedding import Embedder
from knowledge_base.importer import import_directory
from tests.e2e.client import ChatClient

pytestmark = pytest.mark.slow
PASSWORD = "correct-horse-battery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RunningProduct:
    settings: Settings
    base_url: str


@pytest.fixture(scope="session")
def trained_model() -> Path:
    # The model cache is shared with `make run`: the same inputs never train twice.
    return ensure_model(PROJECT_ROOT / "var" / "models", progress=print)


def start_product(var_dir: Path, model: Path, **overrides: object) -> tuple[Stack, RunningProduct]:
    """Seed a fresh database and start the three processes on free ports (as `make run` does)."""
    settings = with_secrets(
        Settings(
            var_dir=var_dir,
            gateway_port=free_port(),
            rasa_port=free_port(),
            actions_port=free_port(),
            demo_mode=True,
            **overrides,  # type: ignore[arg-type]
        )
    )
    migrate.upgrade(settings.database_url)

    async def prepare() -> None:
        engine = create_engine(settings.database_url)
        sessions = session_factory(engine)
        async with unit_of_work(sessions) as session:
            await seed_database(session, generate())
        await import_directory(sessions, Embedder(settings.embedding_model), settings.kb_articles_dir)
        await engine.dispose()

    asyncio.run(prepare())
    stack = Stack(build_services(settings, model), progress=print)
    stack.start()
    return stack, RunningProduct(settings, f"http://127.0.0.1:{settings.gateway_port}")


@pytest.fixture(scope="session")
def product(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Iterator[RunningProduct]:
    stack, running = start_product(tmp_path_factory.mktemp("product-var"), trained_model)
    try:
        yield running
    finally:
        stack.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def customer(http: aiohttp.ClientSession, product: RunningProduct) -> AsyncIterator[ChatClient]:
    client = ChatClient(http, product.base_url)
    yield client
    await client.close()


@pytest.fixture
async def product_sessions(product: RunningProduct) -> AsyncIterator:
    engine = create_engine(product.settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
def staff(product: RunningProduct) -> dict[str, str]:
    """Named example staff in the running product, created once per product."""
    from crm_store.repositories import UserRepository
    from handoff.users import add_user

    async def create() -> None:
        engine = create_engine(product.settings.database_url)
        sessions = session_factory(engine)
        for username, role in (("alex", "agent"), ("sam", "agent"), ("tara", "trainer")):
            async with unit_of_work(sessions) as session:
                exists = await UserRepository(session).by_username(username)
            if exists is None:
                await add_user(sessions, username, role, username.title(), PASSWORD)
        await engine.dispose()

    asyncio.run(create())
    return {"agent": "alex", "other_agent": "sam", "trainer": "tara"}
