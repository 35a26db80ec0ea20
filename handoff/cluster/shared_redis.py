"""The Redis connection replicas share: timeouts that keep a hung Redis from hanging a request, and the
address in log lines without the password."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

import redis.asyncio as redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

# What an unreachable, restarting or hung Redis raises; callers degrade on these and nothing else.
REDIS_FAILURES = (RedisError, OSError, TimeoutError)
CONNECT_TIMEOUT_S = 2.0
COMMAND_TIMEOUT_S = 2.0
# A pub/sub connection is idle for long stretches: ping it this often so a dead one is noticed.
HEALTH_CHECK_S = 5


def connect(url: str) -> redis.Redis:
    """A client that connects lazily (nothing is reached here) and gives up on a hung Redis within seconds."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=COMMAND_TIMEOUT_S,
        socket_keepalive=True,
        health_check_interval=HEALTH_CHECK_S,
        # A pooled connection left over from before a Redis restart fails once; the retry takes a fresh one.
        retry_on_error=[RedisConnectionError],
    )


def address(url: str) -> str:
    """``host:port/db`` for log lines: a password in the URL never reaches a log."""
    parts = urlsplit(url)
    return f"{parts.hostname or '?'}:{parts.port or 6379}{parts.path or ''}"


def reason(error: BaseException) -> str:
    return str(error) or type(error).__name__


class ThrottledWarning:
    """A warning that repeats at most once per interval, counting what happened in between.

    Dropping events while Redis is down happens per event; one line per event would flood the log.
    """

    def __init__(self, logger: logging.Logger, message: str, interval_s: float = 30.0) -> None:
        self._logger, self._message, self._interval_s = logger, message, interval_s
        self._last_logged: float | None = None
        self._unlogged = 0

    def __call__(self, why: str) -> None:
        self._unlogged += 1
        now = time.monotonic()
        if self._last_logged is None or now - self._last_logged >= self._interval_s:
            self._logger.warning("%s (%d since the last warning): %s", self._message, self._unlogged, why)
            self._last_logged, self._unlogged = now, 0


class Reachability:
    """Whether Redis answered last time, logging once when it is lost and once when it is back."""

    def __init__(self, logger: logging.Logger, what: str, url: str, meanwhile: str) -> None:
        self._logger, self._what, self._where, self._meanwhile = logger, what, address(url), meanwhile
        self._up: bool | None = None  # unknown until the first attempt
        self._why = ""
        self.failures = 0  # attempts failed in a row: what the once-per-outage log line does not show

    @property
    def up(self) -> bool:
        return self._up is True

    @property
    def state(self) -> str:
        if self._up is None:
            return "connecting"
        return "connected" if self._up else f"unreachable ({self._why})"

    def lost(self, error: BaseException) -> None:
        self._why = reason(error)
        self.failures += 1
        if self._up is not False:
            self._logger.warning(
                "%s: Redis at %s unreachable (%s); %s", self._what, self._where, self._why, self._meanwhile
            )
        self._up = False

    def back(self) -> None:
        if self._up is False:
            self._logger.info("%s: Redis at %s answers again", self._what, self._where)
        elif self._up is None:
            self._logger.info("%s: shared through Redis at %s", self._what, self._where)
        self._up, self.failures = True, 0


__all__ = ["REDIS_FAILURES", "Reachability", "ThrottledWarning", "address", "connect", "reason"]
