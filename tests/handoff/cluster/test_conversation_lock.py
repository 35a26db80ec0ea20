"""Two gateway replicas (two routers, two engines) on one PostgreSQL database share each conversation's lock.

The bot is a stand-in that records the order of the texts it is sent and can hold a call until the test
releases it, so every interleaving here is made on purpose, never left to timing.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import delete

from crm_store.db import create_engine, session_factory
from crm_store.errors import StoreUnavailable
from crm_store.models import Base
from handoff.cluster.conversation_lock import (
    InProcessConversationLocks,
    PostgresConversationLocks,
    conversation_locks_for,
    lock_key,
)
from handoff.desk.waiting import WaitingMessages
from handoff.hub import Hub
from handoff.router import ChannelUser, ConversationRouter
from handoff.schemas import CustomerMessage

# Only a bound on a test that has already failed (a wait that never ends); no assertion depends on it.
GIVE_UP_S = 30.0


@dataclass
class Hold:
    """One bot call kept waiting: ``reached`` once the call is inside the bot, answering after ``released``."""

    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    async def until_reached(self) -> None:
        await asyncio.wait_for(self.reached.wait(), GIVE_UP_S)


class HeldBot:
    """Answers like Rasa's REST channel ("re: <text>"); the calls that ``hold_next_call`` picked wait to be released."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self._holds: deque[Hold] = deque()

    def hold_next_call(self) -> Hold:
        hold = Hold()
        self._holds.append(hold)
        return hold

    async def actions_healthy(self) -> bool:
        return False  # for the waiting loop: the bot counts as down, so it only considers handing over

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        self.received.append(text)
        if self._holds:
            hold = self._holds.popleft()
            hold.reached.set()
            await hold.released.wait()
        return [{"recipient_id": sender, "text": f"re: {text}"}]


@dataclass
class Replica:
    router: ConversationRouter
    sessions: Any


@pytest.fixture
async def replicas(postgresql_url: str) -> AsyncIterator[tuple[Replica, Replica, HeldBot]]:
    """Two gateways, each with its own engine and default-built router, and one bot they share (as Rasa is)."""
    bot = HeldBot()
    engines = [create_engine(postgresql_url), create_engine(postgresql_url)]
    routers = [ConversationRouter(session_factory(engine), bot, Hub()) for engine in engines]  # type: ignore[arg-type]
    try:
        yield Replica(routers[0], routers[0].sessions), Replica(routers[1], routers[1].sessions), bot
    finally:
        for router in routers:
            await router.close()
        async with engines[0].begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(delete(table))
        for engine in engines:
            await engine.dispose()


def message(n: int, text: str | None = None) -> CustomerMessage:
    return CustomerMessage(client_id=f"lock-{n:04d}", text=text or f"message {n}", payload=None)


async def said_by_bot(router: ConversationRouter, conversation_id: str) -> list[str]:
    return [m["text"] or "" for m in await router.history(conversation_id) if m["sender"] == "bot"]


async def eventually(condition: Callable[[], Awaitable[bool]]) -> None:
    """Wait until the condition holds. It is about another process (PostgreSQL's view of the locks), which
    offers nothing to await, so it is asked again and again."""

    async def poll() -> None:
        while not await condition():  # noqa: ASYNC110 - PostgreSQL's lock table offers no event to await
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), GIVE_UP_S)


async def advisory_locks(database_url: str, conversation_id: str) -> list[tuple[int, bool]]:
    """(backend pid, granted) of every session that holds or waits for the conversation's lock."""
    key = lock_key(conversation_id) & 0xFFFF_FFFF_FFFF_FFFF
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT pid, granted FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid::bigint = $1 AND objid::bigint = $2",
            key >> 32,
            key & 0xFFFF_FFFF,
        )
    finally:
        await connection.close()
    return [(row["pid"], row["granted"]) for row in rows]


async def test_messages_sent_alternately_to_two_replicas_are_answered_once_in_stored_order(replicas) -> None:  # type: ignore[no-untyped-def]
    a, b, bot = replicas
    conversation = await a.router.open_conversation(None, ChannelUser("web", ""))
    await asyncio.gather(*((a if n % 2 else b).router.receive(conversation, message(n)) for n in range(16)))

    history = await a.router.history(conversation)
    customer = [m["text"] for m in history if m["sender"] == "customer"]
    assert len(customer) == 16
    assert bot.received == customer, "the bot got every message once, in the order they were stored"
    assert await said_by_bot(a.router, conversation) == [f"re: {text}" for text in customer]


async def test_while_one_replica_is_inside_the_bot_the_other_waits_for_the_conversation(  # type: ignore[no-untyped-def]
    replicas, postgresql_url
) -> None:
    a, b, bot = replicas
    conversation = await a.router.open_conversation(None, ChannelUser("web", ""))
    inside = bot.hold_next_call()
    first = asyncio.create_task(a.router.receive(conversation, message(1, "first")))
    await inside.until_reached()

    second = asyncio.create_task(b.router.receive(conversation, message(2, "second")))

    async def b_waits_for_the_lock() -> bool:
        return any(not granted for _, granted in await advisory_locks(postgresql_url, conversation))

    await eventually(b_waits_for_the_lock)
    assert bot.received == ["first"], "replica B did not start a second bot call while A was inside"

    inside.released.set()
    await asyncio.wait_for(asyncio.gather(first, second), GIVE_UP_S)
    assert bot.received == ["first", "second"]
    assert await said_by_bot(b.router, conversation) == ["re: first", "re: second"]
    assert await advisory_locks(postgresql_url, conversation) == [], "both released the lock"


async def test_a_killed_holder_no_longer_blocks_the_other_replica(replicas, postgresql_url) -> None:  # type: ignore[no-untyped-def]
    a, b, bot = replicas
    conversation = await a.router.open_conversation(None, ChannelUser("web", ""))
    a_inside = bot.hold_next_call()
    stranded = asyncio.create_task(a.router.receive(conversation, message(1, "first")))
    await a_inside.until_reached()
    [(holder, granted)] = await advisory_locks(postgresql_url, conversation)
    assert granted

    # Replica A's host dies: its lock connection goes (what PostgreSQL sees when a process is killed).
    admin = await asyncpg.connect(postgresql_url)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", holder)
    finally:
        await admin.close()

    await asyncio.wait_for(b.router.receive(conversation, message(2, "second")), GIVE_UP_S)
    assert bot.received == ["first", "first", "second"], "B answered what A had left, then its own"
    assert await said_by_bot(b.router, conversation) == ["re: first", "re: second"]

    # A was only cut off, not dead: its late answer must not reach the customer a second time.
    a_inside.released.set()
    await asyncio.wait_for(stranded, GIVE_UP_S)
    assert await said_by_bot(a.router, conversation) == ["re: first", "re: second"]

    # And A, reconnected, serves the conversation again.
    await asyncio.wait_for(a.router.receive(conversation, message(3, "third")), GIVE_UP_S)
    assert await said_by_bot(b.router, conversation) == ["re: first", "re: second", "re: third"]


async def test_different_conversations_are_answered_at_the_same_time(replicas) -> None:  # type: ignore[no-untyped-def]
    a, _, bot = replicas
    one = await a.router.open_conversation(None, ChannelUser("web", ""))
    other = await a.router.open_conversation(None, ChannelUser("web", ""))
    holds = [bot.hold_next_call(), bot.hold_next_call()]
    tasks = [
        asyncio.create_task(a.router.receive(one, message(1, "one"))),
        asyncio.create_task(a.router.receive(other, message(2, "other"))),
    ]
    for hold in holds:
        await hold.until_reached()  # both inside the bot at once: neither waited for the other's lock
    assert sorted(bot.received) == ["one", "other"]
    for hold in holds:
        hold.released.set()
    await asyncio.wait_for(asyncio.gather(*tasks), GIVE_UP_S)
    assert await said_by_bot(a.router, one) == ["re: one"]
    assert await said_by_bot(a.router, other) == ["re: other"]


class RecordingDesk:
    def __init__(self) -> None:
        self.escalated: list[str] = []

    async def escalate(self, conversation_id: str, reason: str, *, tier: str | None) -> None:
        self.escalated.append(conversation_id)


async def test_a_replica_does_not_hand_over_a_conversation_another_replica_is_answering(  # type: ignore[no-untyped-def]
    replicas, postgresql_url, fixed_clock
) -> None:
    a, b, bot = replicas
    conversation = await a.router.open_conversation(None, ChannelUser("web", ""))
    inside = bot.hold_next_call()
    answering = asyncio.create_task(a.router.receive(conversation, message(1, "first")))
    await inside.until_reached()
    fixed_clock.advance(seconds=120)  # the message now looks as if it had waited past the hand-over limit

    desk = RecordingDesk()
    waiting = WaitingMessages(b.sessions, b.router, bot, desk, timedelta(seconds=60))  # type: ignore[arg-type]
    checking = asyncio.create_task(waiting.check_once())

    async def b_waits_for_the_lock() -> bool:
        return any(not granted for _, granted in await advisory_locks(postgresql_url, conversation))

    await eventually(b_waits_for_the_lock)
    inside.released.set()
    assert await asyncio.wait_for(checking, GIVE_UP_S) == 0
    await asyncio.wait_for(answering, GIVE_UP_S)
    assert desk.escalated == [], "B decided after A had answered, not on what it read while A was inside"
    assert await said_by_bot(b.router, conversation) == ["re: first"]


async def test_closed_locks_open_nothing_new(postgresql_url) -> None:  # type: ignore[no-untyped-def]
    locks = PostgresConversationLocks(postgresql_url)
    async with locks.hold("conversation-x"):
        pass
    await locks.close()
    with pytest.raises(StoreUnavailable, match="closed"):
        async with locks.hold("conversation-x"):
            pytest.fail("locked after close")


async def test_a_waiter_that_gives_up_leaves_nothing_locked(postgresql_url) -> None:  # type: ignore[no-untyped-def]
    """A waiter cancelled inside pg_advisory_lock must not be granted the lock later and keep it."""
    first, second = PostgresConversationLocks(postgresql_url), PostgresConversationLocks(postgresql_url)
    try:
        async with first.hold("conversation-x"):

            async def wait_in_second() -> None:
                async with second.hold("conversation-x"):
                    pytest.fail("the second replica got the lock while the first held it")

            waiter = asyncio.create_task(wait_in_second())

            async def second_is_waiting() -> bool:
                return any(not granted for _, granted in await advisory_locks(postgresql_url, "conversation-x"))

            await eventually(second_is_waiting)
            waiter.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiter
        async with second.hold("conversation-x"):
            assert [granted for _, granted in await advisory_locks(postgresql_url, "conversation-x")] == [True]
        assert await advisory_locks(postgresql_url, "conversation-x") == []
    finally:
        await first.close()
        await second.close()


async def test_an_unreachable_database_is_reported_as_the_store_being_unavailable() -> None:
    locks = PostgresConversationLocks("postgresql://deskbot@127.0.0.1:1/deskbot")  # nothing listens on port 1
    try:
        with pytest.raises(StoreUnavailable, match="cannot reach the database"):
            async with locks.hold("conversation-x"):
                pytest.fail("locked without a database")
    finally:
        await locks.close()


async def test_postgresql_gets_the_shared_lock_and_sqlite_the_in_process_one(postgresql_url, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    engines = [create_engine(postgresql_url), create_engine(sqlite_url)]
    try:
        assert isinstance(conversation_locks_for(engines[0]), PostgresConversationLocks)
        assert isinstance(conversation_locks_for(engines[1]), InProcessConversationLocks)
    finally:
        for engine in engines:
            await engine.dispose()


def test_the_key_is_the_same_in_every_process() -> None:
    # A fixed value: Python's own hash() would differ per process and break the lock between replicas.
    assert lock_key("conversation-x") == lock_key("conversation-x") == KNOWN_KEY
    assert -(2**63) <= lock_key("another") < 2**63 and lock_key("another") != KNOWN_KEY


KNOWN_KEY = -3565755875918561958
