"""Engines and sessions. Built on demand from a URL, never at import.

``DATABASE_URL`` is given in its plain form (``sqlite:///var/x.db``,
``postgresql://user@host/db``); the async driver (aiosqlite, asyncpg) and the
sync driver used by Alembic (sqlite3, psycopg2) are chosen here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import AsyncAdaptedQueuePool

from crm_store.errors import ConfigError, StoreUnavailable

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_SYNC_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg2"}


def parse_url(database_url: str) -> URL:
    try:
        url = make_url(database_url)
    except exc.ArgumentError:
        raise ConfigError(f"DATABASE_URL is not a database URL: {redact(database_url)!r}") from None
    if url.get_backend_name() not in _ASYNC_DRIVERS:
        raise ConfigError(f"DATABASE_URL uses {url.get_backend_name()!r}; supported are sqlite and postgresql")
    return url


def async_url(database_url: str) -> URL:
    url = parse_url(database_url)
    return url.set(drivername=_ASYNC_DRIVERS[url.get_backend_name()])


def sync_url(database_url: str) -> URL:
    url = parse_url(database_url)
    return url.set(drivername=_SYNC_DRIVERS[url.get_backend_name()])


def redact(database_url: str) -> str:
    """The URL with its password hidden, fit for logs and error messages."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return "<unparseable URL>"


def is_sqlite(database_url: str) -> bool:
    return parse_url(database_url).get_backend_name() == "sqlite"


def _prepare_sqlite_file(url: URL) -> None:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(
                f"cannot create the folder {folder} for the SQLite database: {error.strerror}"
            ) from None


def tune_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """A ``connect`` listener for every SQLite engine of the product, Rasa's tracker store's included."""
    # WAL lets readers (gateway, action server) work while one process writes;
    # busy_timeout makes concurrent writers wait instead of failing at once.
    # synchronous=NORMAL is SQLite's advice for WAL: a commit no longer waits for the disk (fsync happens at
    # checkpoints), and a crash of any process loses nothing; only a power cut may undo the last commits.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    url = async_url(database_url)
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url)
        # SQLAlchemy 1.4 gives aiosqlite file databases no pool: every transaction would open the file, start a
        # thread for it and run the pragmas again (a fifth of the gateway's CPU per chat message, issue 15).
        pool = {} if _is_memory(url) else {"poolclass": AsyncAdaptedQueuePool, "pool_size": 5, "max_overflow": 10}
        engine = create_async_engine(url, echo=echo, future=True, **pool)
        event.listen(engine.sync_engine, "connect", tune_sqlite)
        return engine
    return create_async_engine(url, echo=echo, future=True, pool_pre_ping=True, pool_size=10, max_overflow=20)


def create_sync_engine(database_url: str) -> Engine:
    from sqlalchemy import create_engine as create_sync

    url = sync_url(database_url)
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url)
        engine = create_sync(url, future=True)
        event.listen(engine, "connect", tune_sqlite)
        return engine
    return create_sync(url, future=True, pool_pre_ping=True)


def session_factory(engine: AsyncEngine) -> sessionmaker:
    return sessionmaker(engine, class_=AsyncSession, expire_on_commit=False, future=True)


@asynccontextmanager
async def unit_of_work(factory: sessionmaker) -> AsyncIterator[AsyncSession]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    async with factory() as session, session.begin():
        yield session


async def check_connection(engine: AsyncEngine, database_url: str) -> None:
    """Raise StoreUnavailable with one clear line if the database cannot be reached."""
    from sqlalchemy import text

    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (exc.OperationalError, exc.InterfaceError, exc.DBAPIError, OSError) as error:
        raise StoreUnavailable(unreachable_message(database_url, error)) from error


def unreachable_message(database_url: str, error: BaseException) -> str:
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return f"cannot reach the database at {redact(database_url)}: {reason}"
