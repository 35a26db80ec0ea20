"""Events between gateway replicas over Redis pub/sub, so a customer on one replica sees what an agent on
another one does (replies, typing, queue changes).

Every replica publishes each event on one channel and hears everyone's; a random origin id in each message
lets it skip its own, which it has already delivered locally. Pub/sub keeps nothing: an event sent while a
replica is not listening is gone for it. Every event announces something already stored (a message, a ticket
change) or short-lived (typing), so what was missed can be read again: when a replica's subscription comes
back after a loss it calls ``on_resync`` (its sockets then send what was stored meanwhile) and tells every
other replica to do the same, since events it published while cut off never reached them either.

``publish`` never waits for Redis: it puts the message on a bounded queue that a background task drains.
While Redis is unreachable, events for other replicas are dropped (with a throttled warning) and each
replica keeps serving its own clients; the reader reconnects with back-off and logs once when Redis is
lost and once when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import redis.asyncio as redis
from redis.asyncio.client import PubSub

from handoff.cluster.shared_redis import REDIS_FAILURES, Reachability, ThrottledWarning, connect

logger = logging.getLogger(__name__)
CHANNEL = "deskbot:events"
OUTGOING_SIZE = 1024
RETRY_FIRST_S = 0.2
RETRY_MAX_S = 5.0
# How long a read waits for a message before looping, so the connection's health check gets to run.
IDLE_READ_S = 1.0
SUBSCRIBE_CONFIRMATION_S = 5.0
# Not a conversation or hub topic: "catch up on what was stored while events were lost".
RESYNC_TOPIC = "deskbot:resync"

RemoteHandler = Callable[[str, dict[str, Any]], None]
ResyncHandler = Callable[[], None]


def _nothing_to_resync() -> None:
    return None


class RedisEventBus:
    """Sends this replica's events to the others and hands theirs to ``on_remote(topic, event)``."""

    def __init__(
        self,
        redis_url: str,
        on_remote: RemoteHandler,
        *,
        on_resync: ResyncHandler = _nothing_to_resync,
        channel: str = CHANNEL,
    ) -> None:
        self.origin = uuid.uuid4().hex
        self._url = redis_url
        self._on_remote = on_remote
        self._on_resync = on_resync
        self._ever_subscribed = False
        self._channel = channel
        self._client: redis.Redis | None = None
        self._outgoing: asyncio.Queue[str] = asyncio.Queue(OUTGOING_SIZE)
        self._tasks: list[asyncio.Task[None]] = []
        self._first_attempt_done = asyncio.Event()
        self._closed = False
        self._reachability = Reachability(
            logger, "events", redis_url, "each replica delivers to its own clients only until it is back"
        )
        self._dropped = ThrottledWarning(logger, "events for other replicas dropped")

    @property
    def state(self) -> str:
        """``connected``, ``connecting``, ``unreachable (why)`` or ``closed``: for /readyz."""
        return "closed" if self._closed else self._reachability.state

    @property
    def healthy(self) -> bool:
        return not self._closed and self._reachability.up

    @property
    def failed_attempts(self) -> int:
        """Connection attempts failed in a row (0 while connected)."""
        return self._reachability.failures

    async def start(self) -> None:
        """Subscribes in the background; returns once the first attempt has succeeded or failed.

        Waiting for that attempt means a bus that can reach Redis hears other replicas as soon as
        start returns; one that cannot does not hold up the gateway's start (it keeps retrying).
        """
        self._client = connect(self._url)
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._write())]
        await self._first_attempt_done.wait()

    async def close(self) -> None:
        self._closed = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            with contextlib.suppress(*REDIS_FAILURES):
                await self._client.close(close_connection_pool=True)

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        """Queues the event for the other replicas; never blocks and never raises for Redis."""
        if not self.healthy:
            # Queueing during an outage would deliver stale typing and queue events once Redis is back.
            self._dropped(f"Redis is {self.state}")
            return
        try:
            message = json.dumps({"origin": self.origin, "topic": topic, "event": event})
        except (TypeError, ValueError):
            logger.exception("an event for %s cannot be written as JSON; other replicas do not get it", topic)
            return
        try:
            self._outgoing.put_nowait(message)
        except asyncio.QueueFull:
            self._dropped("the outgoing queue is full: Redis takes events slower than they come")

    async def _write(self) -> None:
        assert self._client is not None
        while True:
            message = await self._outgoing.get()
            try:
                await self._client.publish(self._channel, message)
            except REDIS_FAILURES as error:
                # The reader notices the outage too and reports it; here only this event is lost.
                self._dropped(f"publishing failed: {error or type(error).__name__}")

    async def _read(self) -> None:
        assert self._client is not None
        delay = RETRY_FIRST_S
        while True:
            pubsub = self._client.pubsub()
            try:
                await self._subscribe(pubsub)
                self._reachability.back()
                self._first_attempt_done.set()
                delay = RETRY_FIRST_S
                if self._ever_subscribed:
                    self._resync_everyone()
                self._ever_subscribed = True
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=IDLE_READ_S)
                    if message is not None and message.get("type") == "message":
                        self._receive(message["data"])
            except REDIS_FAILURES as error:
                self._reachability.lost(error)
                self._first_attempt_done.set()
            finally:
                with contextlib.suppress(*REDIS_FAILURES):
                    await pubsub.reset()
            await asyncio.sleep(delay)  # back-off between reconnection attempts, not synchronisation
            delay = min(delay * 2, RETRY_MAX_S)

    async def _subscribe(self, pubsub: PubSub) -> None:
        """Subscribes and waits for Redis to confirm, so "connected" means other replicas' events arrive."""
        await pubsub.subscribe(self._channel)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SUBSCRIBE_CONFIRMATION_S
        while loop.time() < deadline:
            reply = await pubsub.get_message(timeout=max(0.0, deadline - loop.time()))
            if reply is not None and reply.get("type") == "subscribe":
                return
        raise TimeoutError(f"Redis did not confirm the subscription to {self._channel}")

    def _resync_everyone(self) -> None:
        """Back after a loss: catch up here, and have the others catch up on what this replica published."""
        self._resync()
        self.publish(RESYNC_TOPIC, {})

    def _resync(self) -> None:
        try:
            self._on_resync()
        except Exception:
            logger.exception("events: catching up after an outage failed")

    def _receive(self, data: bytes | str) -> None:
        try:
            message = json.loads(data)
            origin, topic, event = message["origin"], message["topic"], message["event"]
            if not (isinstance(origin, str) and isinstance(topic, str) and isinstance(event, dict)):
                raise TypeError("origin and topic must be strings, event an object")
        except (ValueError, TypeError, KeyError) as error:
            # Something else wrote on our channel (or a different version of deskbot): skip it, keep reading.
            logger.warning("events: skipped a malformed message on %s (%s): %.120r", self._channel, error, data)
            return
        if origin == self.origin:
            return  # delivered locally when it was published
        if topic == RESYNC_TOPIC:
            self._resync()
            return
        try:
            self._on_remote(topic, event)
        except Exception:
            # A failing handler must not stop this replica hearing the next events.
            logger.exception("events: delivering a remote event for %s failed", topic)


__all__ = ["CHANNEL", "RESYNC_TOPIC", "RedisEventBus", "RemoteHandler", "ResyncHandler"]
