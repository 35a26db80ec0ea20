"""Delivers events to everyone watching a conversation (the customer's open sockets, later the agent console).

In-process for one gateway; each subscriber gets its own bounded queue so one
slow browser cannot hold up the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

logger = logging.getLogger(__name__)
QUEUE_SIZE = 256


Listener = Callable[[str, dict[str, Any]], None]


class Hub:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> None:
        """Called synchronously with every (topic, event): for channels that push, like Telegram."""
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
        for listener in self._listeners:
            try:
                listener(topic, event)
            except Exception:
                logger.exception("listener failed for %s", topic)
        for queue in list(self._subscribers.get(topic, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # The subscriber reloads its history on reconnect; dropping here loses nothing stored.
                logger.warning("subscriber of %s is too slow; dropping an event", topic)

    def watchers(self, topic: str) -> int:
        return len(self._subscribers.get(topic, ()))
