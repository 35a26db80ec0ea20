"""Agent presence shared by two replicas over one real Redis: seen everywhere, gone with the last console,
gone by itself when a replica dies, and answered from this replica's own consoles while Redis is down."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from handoff.cluster.presence import LocalPresence, RedisPresence
from tests.handoff.cluster.replicas import wait_until
from tests.redis_server import RedisServer

KIM, LEE = 7, 8


@asynccontextmanager
async def replicas(redis_url: str, **timing: float) -> AsyncIterator[tuple[RedisPresence, RedisPresence]]:
    """Two replicas' presence under a key prefix of the test's own (the machine's Redis is shared)."""
    prefix = f"deskbot-test:presence:{uuid.uuid4().hex}:"
    a = RedisPresence(redis_url, key_prefix=prefix, **timing)
    b = RedisPresence(redis_url, key_prefix=prefix, **timing)
    await a.start()
    await b.start()
    try:
        yield a, b
    finally:
        await a.close()
        await b.close()


async def test_an_agent_connected_on_one_replica_is_online_on_the_other(redis_url) -> None:  # type: ignore[no-untyped-def]
    async with replicas(redis_url) as (a, b):
        await a.connected(KIM)
        await b.connected(LEE)
        assert await a.online() == await b.online() == {KIM, LEE}
        assert a.state == b.state == "connected"


async def test_an_agent_stays_online_until_their_last_console_closes(redis_url) -> None:  # type: ignore[no-untyped-def]
    async with replicas(redis_url) as (a, b):
        await a.connected(KIM)
        await a.connected(KIM)  # a second tab
        await a.disconnected(KIM)
        assert await b.online() == {KIM}
        await a.disconnected(KIM)
        assert await b.online() == set()


async def test_a_clean_stop_takes_the_replicas_agents_offline_at_once(redis_url) -> None:  # type: ignore[no-untyped-def]
    async with replicas(redis_url) as (a, b):
        await a.connected(KIM)
        await a.close()
        assert await b.online() == set()


async def test_the_agents_of_a_replica_whose_heartbeat_stopped_drop_out_after_the_expiry(redis_url) -> None:  # type: ignore[no-untyped-def]
    async with replicas(redis_url, ttl_s=1.0, heartbeat_s=0.2) as (a, b):
        await a.connected(KIM)
        await b.connected(LEE)
        assert await b.online() == {KIM, LEE}
        assert a.heartbeat is not None
        a.heartbeat.cancel()  # a replica killed: no disconnect, no clean stop, its consoles never closed

        async def kim_gone() -> bool:
            return await b.online() == {LEE}

        await wait_until(kim_gone, "the dead replica's agent drops out once its entry expires")


async def test_redis_down_online_answers_with_this_replicas_consoles_and_recovers(
    own_redis: RedisServer, caplog
) -> None:  # type: ignore[no-untyped-def]
    async with replicas(own_redis.url, ttl_s=5.0, heartbeat_s=0.2) as (a, b):
        await a.connected(KIM)
        await b.connected(LEE)
        own_redis.stop()
        await a.connected(LEE)  # nothing raises
        assert await a.online() == {KIM, LEE}, "this replica's own consoles, Redis or not"
        assert await b.online() == {LEE}
        assert a.state.startswith("unreachable (")
        assert any("presence: Redis at" in r.getMessage() for r in caplog.records)

        own_redis.start()  # empty: it kept nothing on disk

        async def everyone_back() -> bool:
            return await b.online() == {KIM, LEE}

        await wait_until(everyone_back, "the heartbeat writes each replica's consoles to the new Redis")
        await a.disconnected(LEE)
        await a.disconnected(KIM)
        assert await b.online() == {LEE}


async def test_the_heartbeat_must_come_within_the_expiry(redis_url) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="heartbeat"):
        RedisPresence(redis_url, ttl_s=10, heartbeat_s=10)


async def test_in_process_presence_counts_consoles() -> None:
    presence = LocalPresence()
    await presence.connected(KIM)
    await presence.connected(KIM)
    await presence.connected(LEE)
    await presence.disconnected(KIM)
    assert await presence.online() == {KIM, LEE}
    await presence.disconnected(KIM)
    assert await presence.online() == {LEE}
