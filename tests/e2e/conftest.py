"""The whole product on free ports (handoff.launch: a seeded SQLite database, the trained model, the three processes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from crm_store.db import create_engine, session_factory, unit_of_work
from crm_store.settings import PROJECT_ROOT
from handoff.chat_client import ChatClient
from handoff.launch import RunningProduct, start_product
from handoff.training import ensure_model
from tests.e2e.browser_checks import chromium, new_page, require_chromium

pytestmark = pytest.mark.slow
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def trained_model() -> Path:
    # The model cache is shared with `make run`: the same inputs never train twice.
    return ensure_model(PROJECT_ROOT / "var" / "models", progress=print)


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


@pytest.fixture
async def page():  # type: ignore[no-untyped-def]
    """A fresh chromium page (Debian's browser driven by Playwright; no browser download)."""
    try:
        require_chromium()
    except RuntimeError as missing:
        pytest.fail(str(missing))
    async with chromium() as browser:
        yield await new_page(browser, {"width": 1280, "height": 860})
