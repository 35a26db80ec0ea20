"""Abuse limits: how often one account, client address or connection may do something.

Counting is a moving window, kept in this process by default (one gateway,
``handoff.limit_windows``) or in Redis through the ``limits`` library
(``RATE_LIMIT_STORAGE=redis://…``, so replicas share one count).
A rule is a setting such as ``5/minute;20/hour``: every window must have room, so
someone who keeps going meets a longer wait each time a larger window fills up.

When the shared storage cannot be reached, events are let through uncounted (logged once per
outage, and reported in ``/readyz``): limits guard against abuse, and refusing every customer
and agent because Redis is down would be the bigger harm.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coredis.exceptions import RedisError
from limits import RateLimitItem, parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import ConfigurationError as LimitsConfigurationError
from limits.storage import storage_from_string

from crm_store.errors import ConfigError
from handoff.errors import RateLimited
from handoff.limit_windows import MovingWindows

if TYPE_CHECKING:
    from handoff.settings import Settings

logger = logging.getLogger(__name__)
STORAGE_SCHEMES = ("memory", "redis", "rediss")
STORAGE_FAILURES = (RedisError, OSError, TimeoutError)
# A Redis that hangs must not hang a login or a chat message with it.
REDIS_TIMEOUTS = {"connect_timeout": 1.0, "stream_timeout": 1.0}


def parse_rule(setting: str, value: str) -> tuple[RateLimitItem, ...]:
    """A rule such as ``5/minute;20/hour``; a bad one stops start-up, naming the setting."""
    try:
        items = tuple(parse_many(value))
    except ValueError:
        raise ConfigError(f"{setting} must look like '5/minute;20/hour', got {value!r}") from None
    if not items:
        raise ConfigError(f"{setting} is empty")
    return items


def check_storage_url(setting: str, url: str) -> None:
    if url.partition("://")[0] not in STORAGE_SCHEMES or "://" not in url:
        raise ConfigError(f"{setting} must be memory:// or a redis:// URL, got {url.split('@')[-1]!r}")


@dataclass(frozen=True)
class Rule:
    """What is limited (its name keeps the counts apart) and the windows that limit it."""

    name: str
    items: tuple[RateLimitItem, ...]


class Limiter:
    """Counts events against rules; the gateway's rules are read from its settings once."""

    login_account: Rule
    login_address: Rule
    new_conversations: Rule
    messages_per_connection: Rule
    messages_per_address: Rule

    @classmethod
    def from_settings(cls, settings: Settings) -> Limiter:
        limiter = cls(settings.rate_limit_storage)
        rules = {name: parse_rule(name, value) for name, value in settings.limit_rules.items()}
        limiter.login_account = Rule("login-account", rules["LOGIN_LIMIT_PER_ACCOUNT"])
        limiter.login_address = Rule("login-address", rules["LOGIN_LIMIT_PER_ADDRESS"])
        limiter.new_conversations = Rule("chat-new", rules["CHAT_NEW_CONVERSATIONS_LIMIT"])
        limiter.messages_per_connection = Rule("chat-connection", rules["CHAT_MESSAGES_PER_CONNECTION_LIMIT"])
        limiter.messages_per_address = Rule("chat-address", rules["CHAT_MESSAGES_PER_ADDRESS_LIMIT"])
        return limiter

    def __init__(self, storage_url: str = "memory://", clock: Callable[[], float] = time.time) -> None:
        """``clock``: epoch seconds, for the in-process windows (tests pass their own); Redis's windows are the
        library's, on the wall clock."""
        in_process = storage_url.partition("://")[0] == "memory"
        self._clock = clock if in_process else time.time
        self._outage: str | None = None  # why the storage last failed, until it answers again
        self._strategy: MovingWindows | MovingWindowRateLimiter
        if in_process:
            self._strategy = MovingWindows(clock)
            return
        try:
            # The async storage classes register under "async+<scheme>".
            options = REDIS_TIMEOUTS if storage_url.startswith("redis") else {}
            self._storage = storage_from_string(f"async+{storage_url}", **options)
        except LimitsConfigurationError as error:
            raise ConfigError(f"RATE_LIMIT_STORAGE cannot be used: {error}") from None
        # The strategy holds only a weak reference to its storage: self._storage keeps it alive.
        self._strategy = MovingWindowRateLimiter(self._storage)

    @property
    def state(self) -> str:
        """Either "counting", or why events are being let through uncounted (reported in /readyz)."""
        if self._outage is None:
            return "counting"
        return f"not counting: storage unreachable ({self._outage})"

    async def check(self, rule: Rule, key: str, message: str) -> None:
        """RateLimited (with the wait) when any window of ``rule`` is full for ``key``; counts nothing."""
        try:
            waits = [await self._wait(item, rule.name, key) for item in rule.items]
        except STORAGE_FAILURES as error:
            self._storage_failed(error)
            return
        self._storage_answered()
        longest = max(waits)
        if longest > 0:
            raise RateLimited(message.format(wait=describe_wait(longest)), retry_after=longest)

    async def hit(self, rule: Rule, key: str) -> None:
        """Count one event (a failed login) whether or not the rule still has room."""
        try:
            for item in rule.items:
                await self._strategy.hit(item, rule.name, key)
        except STORAGE_FAILURES as error:
            self._storage_failed(error)

    async def take(self, rules: Sequence[tuple[Rule, str]], message: str) -> None:
        """Count one event against every (rule, key), or none of them and RateLimited when one is full."""
        for rule, key in rules:
            await self.check(rule, key, message)
            if self._outage is not None:
                return  # that check could not reach the storage: don't wait on it again for this event
        for rule, key in rules:
            await self.hit(rule, key)

    async def clear(self, rule: Rule, key: str) -> None:
        try:
            for item in rule.items:
                await self._strategy.clear(item, rule.name, key)
        except STORAGE_FAILURES as error:
            self._storage_failed(error)

    def _storage_failed(self, error: BaseException) -> None:
        why = str(error) or type(error).__name__
        if self._outage is None:
            logger.warning("rate-limit storage unreachable, letting events through uncounted: %s", why)
        self._outage = why

    def _storage_answered(self) -> None:
        if self._outage is not None:
            logger.warning("rate-limit storage answers again; counting resumed")
            self._outage = None

    async def _wait(self, item: RateLimitItem, *identifiers: str) -> int:
        if await self._strategy.test(item, *identifiers):
            return 0
        reset, _ = await self._strategy.get_window_stats(item, *identifiers)
        return max(1, math.ceil(reset - self._clock()))


def describe_wait(seconds: int) -> str:
    """A wait in words a customer reads at a glance: '40 seconds', '2 minutes', '3 hours'."""
    if seconds < 90:
        count, unit = seconds, "second"
    elif seconds < 90 * 60:
        count, unit = round(seconds / 60), "minute"
    else:
        count, unit = round(seconds / 3600), "hour"
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


__all__ = ["Limiter", "Rule", "check_storage_url", "describe_wait", "parse_rule"]
