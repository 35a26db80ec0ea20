"""The Redis lease: one holder at a time, and a holder that lost it can never touch its successor's lease.

Against real Redis. Expiry is made to happen by hand (``DEL``, ``PEXPIRE``) where a test is about
what comes after it, so no test waits for a clock; where it has to happen by itself, the test waits
for the condition with a generous deadline.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import redis.asyncio as aioredis

from handoff.cluster.lease import KEY_PREFIX, LeaseKeeper, RedisLease

DEADLINE_S = 30.0


async def eventually(condition: Callable[[], bool | Awaitable[bool]], timeout: float = DEADLINE_S) -> None:
    """Until ``condition`` holds: polled, bounded by a deadline far beyond what it should take."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = condition()
        if await result if isinstance(result, Awaitable) else result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {getattr(condition, '__name__', condition)}")
        await asyncio.sleep(0.05)


@pytest.fixture
def lease_name() -> str:
    return f"test-{uuid.uuid4().hex}"  # the machine's Redis is shared: a name no other test uses


@pytest.fixture
async def raw(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.close()


@pytest.fixture
async def contenders(redis_url: str, lease_name: str) -> AsyncIterator[tuple[RedisLease, RedisLease]]:
    first, second = RedisLease(redis_url, lease_name, ttl_s=10), RedisLease(redis_url, lease_name, ttl_s=10)
    yield first, second
    for lease in (first, second):
        await lease.release()
        await lease.close()


async def test_only_one_of_two_contenders_holds_the_lease(contenders, raw) -> None:  # type: ignore[no-untyped-def]
    first, second = contenders
    assert await first.try_acquire()
    assert not await second.try_acquire()
    assert await first.try_acquire(), "acquiring what one holds already is holding it still"
    assert await first.holder() == first.token != second.token
    assert 0 < await raw.pttl(first.key) <= 10_000, "the lease expires on its own"


async def test_releasing_lets_the_other_in_and_a_release_never_frees_another_holders_lease(contenders) -> None:  # type: ignore[no-untyped-def]
    first, second = contenders
    assert await first.try_acquire()
    await first.release()
    assert await second.try_acquire()
    await first.release()
    assert await second.holder() == second.token, "the first holder's second release left the lease alone"


async def test_a_holder_whose_lease_expired_can_neither_renew_nor_release_its_successors(contenders, raw) -> None:  # type: ignore[no-untyped-def]
    first, second = contenders
    assert await first.try_acquire()
    await raw.delete(first.key)  # what Redis does when the TTL runs out while the holder is paused
    assert await second.try_acquire()
    assert not await first.renew()
    await first.release()
    assert await second.holder() == second.token
    assert await raw.pttl(second.key) > 0, "the old holder's renewal did not touch the successor's expiry"
    assert not await first.try_acquire()


async def test_renewing_restores_the_whole_ttl(contenders, raw) -> None:  # type: ignore[no-untyped-def]
    first, _ = contenders
    assert await first.try_acquire()
    await raw.pexpire(first.key, 50)  # nearly expired
    assert await first.renew()
    assert await raw.pttl(first.key) > 1_000, "renewed for a TTL from now"


async def test_a_key_that_expires_by_itself_lets_a_contender_in(redis_url, lease_name) -> None:  # type: ignore[no-untyped-def]
    short, patient = RedisLease(redis_url, lease_name, ttl_s=0.3, renew_every_s=0.1), RedisLease(redis_url, lease_name)
    try:
        assert await short.try_acquire()
        await eventually(patient.try_acquire)  # PX was set: Redis let the key go without being told
        assert not await short.renew()
    finally:
        await patient.release()
        await short.close()
        await patient.close()


def test_renewing_must_come_well_within_the_ttl() -> None:
    with pytest.raises(ValueError, match="shorter than ttl_s"):
        RedisLease("redis://127.0.0.1:6379/0", "x", ttl_s=5, renew_every_s=5)


# The keeper ---------------------------------------------------------------------------------------


class Role:
    """What a replica does with the lease: records when it was told to take the role up and give it up."""

    def __init__(self) -> None:
        self.events: list[str] = []

    async def take_up(self) -> None:
        self.events.append("acquired")

    async def give_up(self) -> None:
        self.events.append("lost")


def keeper(redis_url: str, name: str, role: Role, ttl_s: float = 1.0) -> LeaseKeeper:
    lease = RedisLease(redis_url, name, ttl_s=ttl_s, renew_every_s=ttl_s / 4)
    return LeaseKeeper(lease, role.take_up, role.give_up, retry_every_s=0.05, max_backoff_s=0.5)


async def test_one_keeper_holds_while_the_other_keeps_trying_and_takes_over_when_it_stops(
    redis_url, lease_name
) -> None:  # type: ignore[no-untyped-def]
    roles = Role(), Role()
    keepers = keeper(redis_url, lease_name, roles[0]), keeper(redis_url, lease_name, roles[1])
    try:
        keepers[0].start()
        await eventually(lambda: keepers[0].held)
        keepers[1].start()
        await eventually(lambda: keepers[1].attempts >= 10)  # the standby has tried again and again, in vain
        assert not keepers[1].held and roles[1].events == []
        assert roles[0].events == ["acquired"]
        await keepers[0].stop()  # releases: no need to wait for the TTL
        assert roles[0].events == ["acquired", "lost"], "the role is given up before the lease is"
        await eventually(lambda: keepers[1].held)
        assert roles[1].events == ["acquired"]
    finally:
        for each in keepers:
            await each.stop()
    assert roles[1].events == ["acquired", "lost"]


async def test_a_holder_that_dies_without_a_word_is_replaced_once_its_lease_expires(redis_url, lease_name) -> None:  # type: ignore[no-untyped-def]
    roles = Role(), Role()
    doomed, standby = keeper(redis_url, lease_name, roles[0]), keeper(redis_url, lease_name, roles[1])
    try:
        doomed.start()
        await eventually(lambda: doomed.held)
        standby.start()
        await eventually(lambda: standby.attempts >= 3)
        assert doomed.task is not None
        doomed.task.cancel()  # SIGKILL: no release, no renewal any more
        await asyncio.gather(doomed.task, return_exceptions=True)
        await eventually(lambda: standby.held)
        assert await standby.lease.holder() == standby.lease.token
    finally:
        await standby.stop()
        await doomed.stop()  # its release finds the lease another's and leaves it alone


async def test_a_take_up_that_fails_releases_the_lease_for_others(redis_url, lease_name) -> None:  # type: ignore[no-untyped-def]
    failures = []

    async def cannot_start() -> None:
        failures.append("tried")
        raise OSError("the role's own service is down")

    async def nothing() -> None:
        return None

    failing = LeaseKeeper(RedisLease(redis_url, lease_name, ttl_s=30), cannot_start, nothing, retry_every_s=0.05)
    role = Role()
    working = keeper(redis_url, lease_name, role, ttl_s=30)
    try:
        failing.start()
        await eventually(lambda: len(failures) >= 2)
        working.start()
        await eventually(lambda: working.held)  # far sooner than the 30 s TTL: the failing one released it
        assert not failing.held
    finally:
        await working.stop()
        await failing.stop()


async def test_without_redis_a_holder_keeps_its_role_until_the_ttl_then_gives_it_up_and_takes_it_back_later(
    own_redis, caplog
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="handoff.cluster.lease")
    role = Role()
    holder = keeper(own_redis.url, "telegram-poller", role, ttl_s=3.0)
    try:
        holder.start()
        await eventually(lambda: holder.held)
        await asyncio.to_thread(own_redis.stop)
        await eventually(lambda: role.events == ["acquired", "lost"])
        messages = [record.getMessage() for record in caplog.records]
        kept = next(i for i, m in enumerate(messages) if "renewal failed" in m and "keeping the role" in m)
        gave_up = next(i for i, m in enumerate(messages) if "giving up the role" in m)
        assert kept < gave_up, "a failed renewal did not cost the role at once"
        await eventually(lambda: holder.failure is not None)  # trying to acquire again, with back-off
        await asyncio.to_thread(own_redis.start)
        await eventually(lambda: holder.held)
        assert role.events == ["acquired", "lost", "acquired"]
        assert holder.failure is None
    finally:
        await holder.stop()


def test_the_key_is_namespaced() -> None:
    assert RedisLease("redis://127.0.0.1:6379/0", "telegram-poller").key == f"{KEY_PREFIX}telegram-poller"
