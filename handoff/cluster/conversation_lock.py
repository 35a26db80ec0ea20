"""A lock per conversation, so its messages are handled one at a time wherever they arrive.

The router stores every customer message first; whoever holds the conversation's lock then drains
the unprocessed ones, oldest first. On one host (SQLite) an ``asyncio.Lock`` per conversation is
enough. Replicas on one PostgreSQL database take a PostgreSQL advisory lock as well. Why that, and
not a Redis lock or an owner replica per conversation:

- The lock lives where the messages and their "processed" marks live. A replica that waits for it
  then reads, in the same database, what the holder finished: nothing left means nothing to do.
  A Redis lock would need fencing tokens checked by PostgreSQL anyway; routing each conversation
  to an owner replica needs membership and hand-over when an owner dies.
- A session-level lock (``pg_advisory_lock``) belongs to one connection. When the holder's process
  dies its connection closes and the server drops the lock at once; a vanished host is noticed by
  TCP keepalives (below), so no replica can keep a conversation locked for long.

How it is held:

- The local ``asyncio.Lock`` first, so one replica queues its own waiters in memory and spends at
  most one PostgreSQL connection per conversation.
- On a connection from a pool of its own (asyncpg), never from the store's engine: a holder needs a
  store connection to do its work, so if holders and workers shared one pool, enough conversations
  at once would hold every connection and wait for one forever. Here, waiting for a lock connection
  is only waiting in line for the lock.
- The key is a stable 64-bit hash of the conversation id (not Python's ``hash``, which differs per
  process). Two ids sharing a key would only wait for each other, never break ordering.
- Released with ``pg_advisory_unlock``. If taking or releasing fails halfway (an error, a
  cancelled task) the connection is closed instead, which releases whatever the server granted it.
- Keepalives on the server's side of each lock connection (``tcp_keepalives_*``): a host that
  vanishes without closing its connections has its locks freed after about a minute
  (30 s idle, then 3 probes 10 s apart). Unix-socket connections ignore these; there the
  server sees a dead process at once anyway.

This module takes locks and writes no rows; everything the store keeps still goes through
``crm_store``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import asyncpg
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.db import unreachable_message
from crm_store.errors import StoreUnavailable

logger = logging.getLogger(__name__)

APPLICATION_NAME = "deskbot conversation lock"  # what pg_stat_activity shows for the lock connections
MAX_LOCK_CONNECTIONS = 20
KEEPALIVE = {"tcp_keepalives_idle": "30", "tcp_keepalives_interval": "10", "tcp_keepalives_count": "3"}
# What going wrong on a lock connection looks like: the server is down, restarting or ended the connection.
_CONNECTION_ERRORS = (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


class ConversationLocks(Protocol):
    def hold(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        """Wait for the conversation's lock; it is released when the block ends."""

    async def close(self) -> None:
        """Give back whatever the locks keep open (connections)."""


def lock_key(conversation_id: str) -> int:
    """The conversation's advisory-lock key: the same in every process, a signed 64-bit integer."""
    digest = hashlib.blake2b(conversation_id.encode(), digest_size=8, person=b"deskbot:convo").digest()
    return int.from_bytes(digest, "big", signed=True)


class InProcessConversationLocks:
    """One ``asyncio.Lock`` per conversation, dropped once nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        async with lock:
            yield

    async def close(self) -> None:
        return None


class PostgresConversationLocks:
    """The in-process lock, then a PostgreSQL advisory lock on a connection of its own pool."""

    def __init__(self, database_url: URL | str, *, max_connections: int = MAX_LOCK_CONNECTIONS) -> None:
        self._dsn = _plain_dsn(database_url)
        self._max_connections = max_connections
        self._local = InProcessConversationLocks()
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self._closed = False

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        async with self._local.hold(conversation_id):
            key = lock_key(conversation_id)
            pool = await self._open()
            connection = await self._lock(pool, key)
            try:
                yield
            finally:
                await self._unlock(pool, connection, key, conversation_id)

    async def close(self) -> None:
        """Close every lock connection; the server releases whatever they still held."""
        self._closed = True
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None

    async def _open(self) -> asyncpg.Pool:
        async with self._opening:
            if self._closed:  # a task still running at shutdown must not open a pool nobody closes
                raise StoreUnavailable("the conversation locks are closed: the gateway is stopping")
            if self._pool is None:
                # min_size=0: nothing connects until the first lock; idle connections close after a minute.
                self._pool = await asyncpg.create_pool(
                    self._dsn,
                    min_size=0,
                    max_size=self._max_connections,
                    max_inactive_connection_lifetime=60,
                    server_settings={"application_name": APPLICATION_NAME, **KEEPALIVE},
                    reset=_nothing_to_reset,
                )
            return self._pool

    async def _lock(self, pool: asyncpg.Pool, key: int) -> asyncpg.Connection:
        """A pooled connection holding the key's lock; StoreUnavailable if PostgreSQL cannot be reached."""
        for attempt in (1, 2):  # a pooled connection may have died with a restarted server: one fresh try
            try:
                connection = await pool.acquire()  # waits its turn when every lock connection is in use
            except _CONNECTION_ERRORS as error:
                raise StoreUnavailable(unreachable_message(self._dsn, error)) from error
            try:
                await connection.execute("SELECT pg_advisory_lock($1)", key)
                return connection
            except BaseException as error:
                # Cancelled or failed mid-wait: the server may still grant the lock; closing the connection
                # makes sure nothing stays locked by a waiter that has gone.
                _drop(connection)
                await pool.release(connection)
                if not isinstance(error, _CONNECTION_ERRORS):
                    raise
                if attempt == 2:
                    raise StoreUnavailable(unreachable_message(self._dsn, error)) from error
        raise AssertionError("unreachable")

    async def _unlock(self, pool: asyncpg.Pool, connection: asyncpg.Connection, key: int, conversation_id: str) -> None:
        try:
            released = await connection.fetchval("SELECT pg_advisory_unlock($1)", key)
            if not released:
                # Its connection was replaced under it: another replica may have run meanwhile (the
                # router's "processed" check stops a second answer).
                logger.error("conversation %s: its lock was lost while held", conversation_id)
        except BaseException as error:
            _drop(connection)  # the lock goes with the connection
            if not isinstance(error, _CONNECTION_ERRORS):
                raise
            logger.warning("conversation %s: lock connection lost while held (%s)", conversation_id, error)
        finally:
            await pool.release(connection)


def _drop(connection: asyncpg.Connection) -> None:
    """Close the connection at once; the server then releases whatever it held or was about to grant."""
    # A connection the server ended has already been closed and handed back by the pool: nothing to drop.
    with contextlib.suppress(asyncpg.InterfaceError):
        connection.terminate()


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """Lock connections run no transactions and keep no state: a returned one holds nothing (see _unlock)."""


def _plain_dsn(database_url: URL | str) -> str:
    """The libpq-style URL asyncpg reads, password included, from the store's URL (any driver name)."""
    url = make_url(database_url) if isinstance(database_url, str) else database_url
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def conversation_locks_for(engine: AsyncEngine | None) -> ConversationLocks:
    """Advisory locks for a PostgreSQL store (replicas may share it); in-process ones otherwise."""
    if engine is not None and engine.url.get_backend_name() == "postgresql":
        return PostgresConversationLocks(engine.url)
    return InProcessConversationLocks()


__all__ = [
    "APPLICATION_NAME",
    "ConversationLocks",
    "InProcessConversationLocks",
    "PostgresConversationLocks",
    "conversation_locks_for",
    "lock_key",
]
