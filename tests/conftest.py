"""Shared fixtures: real SQLite and PostgreSQL databases, migrated once per session, emptied after each test.

Tiers are marked at collection, where pytest honours them: a test that runs on PostgreSQL is
``postgres``, one that needs a Redis server is ``redis``; one that needs the embedding model, a
trained Rasa model, the running product or a browser is ``slow``. ``make test-fast`` deselects all three.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import psycopg2
import pytest
from sqlalchemy import delete
from sqlalchemy.engine import make_url

from bench.databases import fresh_database
from crm_store import clock, migrate
from crm_store.db import create_engine, session_factory
from crm_store.models import Base
from tests.clocks import weekday_morning
from tests.redis_server import RedisServer, answers

pytest_plugins = ["tests.fixtures.product", "tests.fixtures.browser"]

BACKENDS = ("sqlite", "postgresql")
# Fixtures that make a test slow: each loads a model, trains or starts processes, or opens a browser.
SLOW_FIXTURES = {"embedder", "trained_model", "product", "page", "telegram_api"}


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if fixtures & {"postgres_database", "postgresql_url"} or "postgresql" in params.values():
            item.add_marker(pytest.mark.postgres)
        if fixtures & {"redis_url", "own_redis"}:
            item.add_marker(pytest.mark.redis)


ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session", autouse=True)
def product_clock() -> Iterator[clock.Clock]:
    """The whole suite runs on a weekday morning in the policy's time zone, whatever the real hour.

    Time still passes (a ShiftedClock); tests about other hours set a FixedClock with ``clock.using``.
    Processes started by the end-to-end tests get the same instant (handoff.ops.launch passes it on).
    """
    with clock.using(clock.ShiftedClock(weekday_morning())) as shifted:
        yield shifted


@pytest.fixture
def fixed_clock() -> Iterator[clock.FixedClock]:
    """Time stands still at the suite's weekday morning until the test moves it."""
    with clock.using(clock.FixedClock(clock.now())) as fixed:
        yield fixed


def _admin_connection():  # type: ignore[no-untyped-def]
    url = make_url(ADMIN_URL)
    try:
        connection = psycopg2.connect(
            host=url.host, port=url.port or 5432, user=url.username, password=url.password, dbname=url.database
        )
    except psycopg2.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable at {ADMIN_URL} (start it, or set TEST_POSTGRES_URL): {error}")
    connection.autocommit = True
    return connection


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    _admin_connection().close()  # a clear failure, naming the URL, when the server is down
    with fresh_database(ADMIN_URL, prefix) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    with fresh_postgres_database("deskbot_test") as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The machine's Redis, as replicas would share it (.ci/run starts it when it is down)."""
    if not answers(REDIS_URL):
        pytest.fail(f"Redis is not reachable at {REDIS_URL} (start it, or set TEST_REDIS_URL)")
    return REDIS_URL


@pytest.fixture
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A Redis of the test's own, which it may stop and start again without touching anyone else's."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_url(postgres_database: str) -> str:
    migrate.upgrade(postgres_database)
    return postgres_database


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """Each store test runs on both backends; PostgreSQL only when the postgres tier is selected."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator:
    """A session factory on a migrated, empty database; every row is deleted afterwards."""
    engine = create_engine(database_url)
    try:
        yield session_factory(engine)
    finally:
        async with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(delete(table))
        await engine.dispose()


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from knowledge_base.embedding import Embedder

    model = Embedder("all-MiniLM-L6-v2")
    model.encode_one("warm up")
    return model
