"""Delivers events to everyone watching a conversation (the customer's open sockets, the agent consoles).

Each subscriber gets its own bounded queue so one slow browser cannot hold up the others. With several
gateway replicas a transport (``handoff.cluster.events``) carries each event to the other replicas, whose
hubs hand it to their own subscribers; without one (no ``REDIS_URL``) everything stays in this process.

Listeners (channels that push, like Telegram) hear only events published on this replica: the replica
that produced a reply sends it, exactly once, and every replica can reach the Telegram Bot API.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

logger = logging.getLogger(__name__)
QUEUE_SIZE = 256
# Put in every subscriber's queue when events may have been lost; the subscriber reads again what is stored.
RESYNC: dict[str, Any] = {"type": "resync"}


Listener = Callable[[str, dict[str, Any]], None]


class EventTransport(Protocol):
    """Carries events to the other replicas (``handoff.cluster.events.RedisEventBus``)."""

    @property
    def state(self) -> str: ...

    def publish(self, topic: str, event: dict[str, Any]) -> None: ...


class Hub:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._listeners: list[Listener] = []
        self._transport: EventTransport | None = None

    def attach(self, transport: EventTransport) -> None:
        """Sends every event published here to the other replicas too.

        The transport hands the other replicas' events to ``deliver_from_other_replica``.
        """
        self._transport = transport

    @property
    def state(self) -> str:
        """How events reach other replicas, for /readyz: ``in-process`` without a transport."""
        return self._transport.state if self._transport is not None else "in-process"

    def add_listener(self, listener: Listener) -> None:
        """Called synchronously with every (topic, event) published on this replica: for channels that push."""
        self._listeners.append(listener)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers[topic].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[topic].discard(queue)
            if not self._subscribers[topic]:
                del self._subscribers[topic]

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        """Delivers to this replica's listeners and subscribers at once, then to the other replicas."""
        for listener in self._listeners:
            try:
                listener(topic, event)
            except Exception:
                logger.exception("listener failed for %s", topic)
        self._deliver(topic, event)
        if self._transport is not None:
            self._transport.publish(topic, event)

    def deliver_from_other_replica(self, topic: str, event: dict[str, Any]) -> None:
        """An event another replica published: to local subscribers only (its listeners already had it)."""
        self._deliver(topic, event)

    def resync(self) -> None:
        """Events from other replicas may have been lost (Redis was unreachable): every subscriber on this
        replica is told to catch up from what is stored (``RESYNC`` in its queue)."""
        for topic in list(self._subscribers):
            self._deliver(topic, dict(RESYNC))

    def _deliver(self, topic: str, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(topic, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # The subscriber reloads its history on reconnect; dropping here loses nothing stored.
                logger.warning("subscriber of %s is too slow; dropping an event", topic)

    def watchers(self, topic: str) -> int:
        """Subscribers of ``topic`` on this replica (other replicas' sockets are not counted)."""
        return len(self._subscribers.get(topic, ()))
