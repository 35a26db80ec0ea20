"""Test helpers for state shared by replicas: hubs joined by their own Redis event bus, and waiting for a condition."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from handoff.cluster.events import RedisEventBus
from handoff.hub import Hub

GENEROUS_S = 30.0


async def wait_until(condition: Callable[[], Awaitable[bool]], what: str, timeout: float = GENEROUS_S) -> None:
    """Polls ``condition`` until it holds; the deadline only stops a broken test from hanging."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.05)


async def next_event(queue: asyncio.Queue[dict[str, Any]]) -> dict[str, Any]:
    return await asyncio.wait_for(queue.get(), GENEROUS_S)


def unique_channel() -> str:
    """A channel of the test's own, so tests sharing the machine's Redis never hear each other."""
    return f"deskbot-test:events:{uuid.uuid4().hex}"


@asynccontextmanager
async def replica_hub(redis_url: str, channel: str) -> AsyncIterator[tuple[Hub, RedisEventBus]]:
    """A hub as a gateway replica wires it: its bus started and attached."""
    hub = Hub()
    bus = RedisEventBus(redis_url, on_remote=hub.deliver_from_other_replica, on_resync=hub.resync, channel=channel)
    await bus.start()
    hub.attach(bus)
    try:
        yield hub, bus
    finally:
        await bus.close()


@asynccontextmanager
async def two_replicas(redis_url: str) -> AsyncIterator[tuple[Hub, Hub]]:
    """Two replicas' hubs on one channel of the test's own."""
    channel = unique_channel()
    async with replica_hub(redis_url, channel) as (a, _), replica_hub(redis_url, channel) as (b, _):
        yield a, b
