"""A lease in Redis: one replica at a time holds a role (the Telegram poller), another takes over when it dies.

``RedisLease`` is the primitive: the key ``deskbot:lease:<name>`` holds the holder's random token
and expires after ``ttl_s``. Acquiring is ``SET key token NX PX ttl``; renewing and releasing are
Lua scripts that compare the token first (compare-and-pexpire, compare-and-del), so a holder that
lost the lease (it paused, Redis expired the key, another replica took it) can never extend or
delete the newer holder's lease.

``LeaseKeeper`` keeps trying to hold the lease: every ``retry_every_s`` while another replica
holds it, with back-off up to ``max_backoff_s`` while Redis cannot be reached. Once it holds the
lease it calls ``on_acquired`` and renews every ``renew_every_s``; when a renewal says the lease is
gone, or Redis has not confirmed it for (nearly) a whole TTL, it calls ``on_lost`` and goes back to
trying. A holder that cannot reach Redis keeps its role until its lease would have expired (counted
from before its last successful renewal, so always before Redis itself lets the key go) and then
gives it up: from that moment another replica may hold it. A holder killed with SIGKILL says
nothing; its key expires after at most ``ttl_s`` and a standby takes over within ``ttl_s +
retry_every_s`` (15 + 5 s with the defaults).

Two pollers at once, for a moment (a holder frozen longer than its TTL, say by SIGSTOP or a
stalled VM, wakes up still polling; or stopping its poll outlasts the margin it gives itself), is
harmless: Telegram lets one getUpdates run per bot and ends the other with 409 Conflict, which
python-telegram-bot logs and retries, so each update is handed to one poller, and the frozen one
stops at its next renewal. An update fetched twice all the same (a poller died before it confirmed
the update's offset, and its successor fetches it again) is stored under its update id
(``update-<id>``, unique per channel in ``messages``: handoff.router ``_store_inbound`` catches the
IntegrityError and hands back the first copy), and ``process_pending`` answers only customer
messages not yet marked processed, under the router's per-conversation lock: a text is answered
once. That holds when the copies arrive one after the other; when two replicas handle them at the
same instant it holds only with a lock that spans replicas (the router's Redis lock of issue 16),
since an in-process lock lets both read the message as unprocessed. What the Telegram channel says
of its own before storing (the /start tip, "your message was shortened") is keyed by the update id
too (``update-<id>:<purpose>``), so it is not said twice either.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
KEY_PREFIX = "deskbot:lease:"
DEFAULT_TTL_S = 15.0
DEFAULT_RENEW_EVERY_S = 5.0
DEFAULT_RETRY_EVERY_S = 5.0
DEFAULT_MAX_BACKOFF_S = 30.0
# What counts as "Redis could not be reached": redis-py's own errors, sockets, and our own deadline.
UNREACHABLE = (RedisError, OSError, asyncio.TimeoutError)

# Extend (renew) or delete (release) the key only while it still holds our token.
_COMPARE_AND_PEXPIRE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_COMPARE_AND_DEL = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""

Callback = Callable[[], Awaitable[None]]


class RedisLease:
    """One named lease; this object's token identifies the holder (one replica's one contender)."""

    def __init__(
        self, redis_url: str, name: str, ttl_s: float = DEFAULT_TTL_S, renew_every_s: float = DEFAULT_RENEW_EVERY_S
    ) -> None:
        if not 0 < renew_every_s < ttl_s:
            raise ValueError(f"renew_every_s ({renew_every_s}) must be positive and shorter than ttl_s ({ttl_s})")
        self.name = name
        self.key = KEY_PREFIX + name
        self.ttl_s = ttl_s
        self.renew_every_s = renew_every_s
        # Host and process first, for whoever reads the key during an incident; the random part makes it ours alone.
        self.token = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(8)}"
        # A call must not outlive the lease it protects: bounded well inside the TTL.
        timeout = min(2.0, ttl_s / 4)
        self._redis = aioredis.Redis.from_url(
            redis_url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True
        )
        self._pexpire_if_ours = self._redis.register_script(_COMPARE_AND_PEXPIRE)
        self._del_if_ours = self._redis.register_script(_COMPARE_AND_DEL)

    @property
    def _ttl_ms(self) -> int:
        return max(1, round(self.ttl_s * 1000))

    async def try_acquire(self) -> bool:
        """True when we hold the lease now (newly, or still: an acquire whose answer was lost is not an error)."""
        if await self._redis.set(self.key, self.token, nx=True, px=self._ttl_ms):
            return True
        return await self.renew()

    async def renew(self) -> bool:
        """Extend the lease by a TTL from now; False when it is not ours any more."""
        return bool(await self._pexpire_if_ours(keys=[self.key], args=[self.token, self._ttl_ms]))

    async def release(self) -> None:
        """Let the lease go at once, if it is still ours, so a standby need not wait for the TTL."""
        await self._del_if_ours(keys=[self.key], args=[self.token])

    async def holder(self) -> str | None:
        """The token of whoever holds the lease now, for diagnostics and tests."""
        value = await self._redis.get(self.key)
        return str(value) if value is not None else None

    async def close(self) -> None:
        await self._redis.close()
        await self._redis.connection_pool.disconnect()


class LeaseKeeper:
    """Holds ``lease`` whenever no one else does, and says so through ``on_acquired`` and ``on_lost``.

    ``on_acquired`` failing (the role could not be taken up) releases the lease so another replica
    may try, and this one tries again later.
    """

    def __init__(
        self,
        lease: RedisLease,
        on_acquired: Callback,
        on_lost: Callback,
        retry_every_s: float = DEFAULT_RETRY_EVERY_S,
        max_backoff_s: float = DEFAULT_MAX_BACKOFF_S,
    ) -> None:
        self.lease = lease
        self.on_acquired = on_acquired
        self.on_lost = on_lost
        self.retry_every_s = retry_every_s
        self.max_backoff_s = max(max_backoff_s, retry_every_s)
        # Give the role up a little before the lease would expire, so stopping it finishes before a successor starts.
        self.margin_s = min(1.0, lease.ttl_s / 10)
        self.held = False
        self.failure: str | None = None  # why Redis could not be asked, while it cannot
        # Why taking up the role failed, until it succeeds or another replica holds the lease instead.
        self.take_up_failure: str | None = None
        # Tries to acquire, and roles taken up, so far: tests wait for these, never for time to pass.
        self.attempts = 0
        self.times_acquired = 0
        self.task: asyncio.Task[None] | None = None
        self._failing_to_take_up = False

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name=f"lease {self.lease.name}")

    async def stop(self) -> None:
        """Give the role up (``on_lost``) and then the lease, so a standby takes over without waiting for the TTL."""
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        if self.held:
            await self._give_up_role()
            with contextlib.suppress(*UNREACHABLE):  # unreachable: the key expires on its own
                await self.lease.release()
        await self.lease.close()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        backoff = self.retry_every_s
        while True:
            asked_at = loop.time()
            self.attempts += 1
            try:
                acquired = await asyncio.wait_for(self.lease.try_acquire(), self.lease.ttl_s / 2)
            except UNREACHABLE as error:
                self.failure = f"{error.__class__.__name__}: {error}"
                logger.warning(
                    "lease %s: Redis unreachable (%s); trying again in %.1f s", self.lease.name, self.failure, backoff
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)
                continue
            if self.failure is not None:
                logger.warning("lease %s: Redis answers again", self.lease.name)
                self.failure = None
            backoff = self.retry_every_s
            if not acquired:
                self.take_up_failure = None  # another replica holds it: our failure is no longer the news
            elif await self._take_up_role():
                await self._hold(valid_until=asked_at + self.lease.ttl_s)
            await asyncio.sleep(self.retry_every_s)

    async def _take_up_role(self) -> bool:
        logger.info("lease %s: acquired (%s)", self.lease.name, self.lease.token)
        self.held = True
        try:
            await self.on_acquired()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a background loop must survive its callback: logged, lease let go, tried again
            # The traceback once per run of failures: a role that cannot start (Telegram down) fails every few seconds.
            logger.warning(
                "lease %s: taking up the role failed (%s: %s); releasing the lease, trying again in %.1f s",
                self.lease.name,
                error.__class__.__name__,
                error,
                self.retry_every_s,
                exc_info=not self._failing_to_take_up,
            )
            self._failing_to_take_up = True
            self.take_up_failure = f"{error.__class__.__name__}: {error}"
            await self._give_up_role()
            with contextlib.suppress(*UNREACHABLE):
                await self.lease.release()
            return False
        self._failing_to_take_up = False
        self.take_up_failure = None
        self.times_acquired += 1
        return True

    async def _hold(self, valid_until: float) -> None:
        """Renew until the lease is lost or Redis stays silent for the rest of its TTL; then give the role up."""
        loop = asyncio.get_running_loop()
        while True:
            left = valid_until - self.margin_s - loop.time()
            await asyncio.sleep(max(0.0, min(self.lease.renew_every_s, left)))
            left = valid_until - self.margin_s - loop.time()
            if left <= 0:
                logger.error(
                    "lease %s: Redis has not confirmed the lease for its whole TTL (%.1f s); giving up the role "
                    "so another replica can take it",
                    self.lease.name,
                    self.lease.ttl_s,
                )
                break
            asked_at = loop.time()
            try:
                still_ours = await asyncio.wait_for(self.lease.renew(), left)
            except UNREACHABLE as error:
                logger.warning(
                    "lease %s: renewal failed (%s: %s); keeping the role for %.1f s more",
                    self.lease.name,
                    error.__class__.__name__,
                    error,
                    max(0.0, valid_until - self.margin_s - loop.time()),
                )
                continue
            if not still_ours:
                logger.warning("lease %s: lost (it expired or another replica holds it now)", self.lease.name)
                break
            valid_until = asked_at + self.lease.ttl_s
        await self._give_up_role()

    async def _give_up_role(self) -> None:
        self.held = False
        try:
            await self.on_lost()
        except asyncio.CancelledError:
            raise
        except Exception:  # as in _take_up_role: logged in full, the keeper goes on
            logger.exception("lease %s: giving up the role failed", self.lease.name)


__all__ = ["LeaseKeeper", "RedisLease"]
