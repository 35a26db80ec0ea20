"""Which agents have a console open, for the expected-wait estimate and the transfer list.

``LocalPresence`` counts this process's console connections (the single-process default).
``RedisPresence`` shares them between replicas: each replica keeps one Redis hash of its own
connections (agent id → open consoles) whose expiry a heartbeat pushes forward, so the agents of a
replica that was killed drop out by themselves once its entry expires. Every write sends this
replica's whole count, so the entry also comes back by itself after Redis restarts empty.

When Redis cannot be reached, ``online`` answers with this replica's own connections and logs it once;
an agent's presence is never needed to store or deliver anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from typing import Protocol

import redis.asyncio as redis

from handoff.cluster.shared_redis import REDIS_FAILURES, Reachability, connect

logger = logging.getLogger(__name__)
KEY_PREFIX = "deskbot:presence:"
TTL_S = 30.0
HEARTBEAT_S = 10.0


class AgentPresence(Protocol):
    @property
    def state(self) -> str: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def connected(self, agent_id: int) -> None: ...

    async def disconnected(self, agent_id: int) -> None: ...

    async def online(self) -> set[int]: ...


class LocalPresence:
    """The agents with a console open on this process."""

    state = "in-process"

    def __init__(self) -> None:
        self._connections: Counter[int] = Counter()

    async def start(self) -> None:
        pass  # nothing to open: the same interface as RedisPresence

    async def close(self) -> None:
        pass

    async def connected(self, agent_id: int) -> None:
        self._connections[agent_id] += 1

    async def disconnected(self, agent_id: int) -> None:
        self._connections[agent_id] -= 1
        if self._connections[agent_id] <= 0:
            del self._connections[agent_id]

    async def online(self) -> set[int]:
        return set(self._connections)

    def counts(self) -> dict[int, int]:
        return dict(self._connections)


class RedisPresence:
    """The agents with a console open on any live replica."""

    def __init__(
        self, redis_url: str, *, ttl_s: float = TTL_S, heartbeat_s: float = HEARTBEAT_S, key_prefix: str = KEY_PREFIX
    ) -> None:
        if not 0 < heartbeat_s < ttl_s:
            raise ValueError(f"the heartbeat ({heartbeat_s} s) must come well within the expiry ({ttl_s} s)")
        self._url = redis_url
        self._ttl_ms = int(ttl_s * 1000)
        self._heartbeat_s = heartbeat_s
        self._prefix = key_prefix
        self._key = f"{key_prefix}{uuid.uuid4().hex}"  # this replica's entry
        self._local = LocalPresence()
        self._client: redis.Redis | None = None
        # One write at a time, each carrying the count as it is when sent: a heartbeat's older
        # snapshot can never land after a newer connect or disconnect.
        self._write_lock = asyncio.Lock()
        self.heartbeat: asyncio.Task[None] | None = None
        self._reachability = Reachability(
            logger, "presence", redis_url, "agents online are counted on this replica only until it is back"
        )

    @property
    def state(self) -> str:
        return self._reachability.state

    async def start(self) -> None:
        self._client = connect(self._url)
        await self._write()
        self.heartbeat = asyncio.create_task(self._beat())

    async def close(self) -> None:
        """Stops the heartbeat and removes this replica's entry: a clean stop takes its agents offline at once."""
        if self.heartbeat is not None:
            self.heartbeat.cancel()
            await asyncio.gather(self.heartbeat, return_exceptions=True)
        if self._client is not None:
            with contextlib.suppress(*REDIS_FAILURES):
                async with self._write_lock:
                    await self._client.delete(self._key)
            with contextlib.suppress(*REDIS_FAILURES):
                await self._client.close(close_connection_pool=True)
            self._client = None

    async def connected(self, agent_id: int) -> None:
        await self._local.connected(agent_id)
        await self._write()

    async def disconnected(self, agent_id: int) -> None:
        await self._local.disconnected(agent_id)
        await self._write()

    async def online(self) -> set[int]:
        own = await self._local.online()
        if self._client is None:
            return own
        try:
            keys = [key async for key in self._client.scan_iter(match=f"{self._prefix}*", count=100)]
            async with self._client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.hkeys(key)
                fields = await pipe.execute()
        except REDIS_FAILURES as error:
            self._reachability.lost(error)
            return own
        self._reachability.back()
        # A key that expired between the scan and the read has no fields; that agent is simply not counted.
        return own | {int(agent) for agent_fields in fields for agent in agent_fields}

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_s)  # the refresh period, not synchronisation
            await self._write()

    async def _write(self) -> None:
        """Replaces this replica's entry with its current connections and pushes its expiry forward."""
        if self._client is None:
            return
        async with self._write_lock:
            counts = self._local.counts()
            try:
                async with self._client.pipeline(transaction=True) as pipe:
                    pipe.delete(self._key)
                    if counts:
                        pipe.hset(self._key, mapping={str(agent): n for agent, n in counts.items()})
                        pipe.pexpire(self._key, self._ttl_ms)
                    await pipe.execute()
            except REDIS_FAILURES as error:
                self._reachability.lost(error)
                return
        self._reachability.back()


__all__ = ["AgentPresence", "LocalPresence", "RedisPresence"]
