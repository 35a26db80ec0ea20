"""Where the whole product reads "now": one clock, replaceable by tests and demos.

Every timestamp, business-hours check, SLA and promised-date comparison calls
``clock.now()`` (or ``utcnow()`` in ``crm_store.models.base``, which delegates
here). Tests set a ``FixedClock``; a whole stack can run from a chosen instant
with ``DESKBOT_CLOCK_START`` (a ``ShiftedClock``), so escalation and handoff can
be checked "on a Sunday night" on any day of the week.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Protocol

from crm_store.errors import ConfigError

ENV_CLOCK_START = "DESKBOT_CLOCK_START"


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """Time stands still until a test moves it."""

    def __init__(self, at: datetime) -> None:
        self.at = _aware(at, "FixedClock")

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


class ShiftedClock:
    """Real time passing, but starting from a chosen instant."""

    def __init__(self, start: datetime, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._offset = _aware(start, "ShiftedClock") - self._base.now()

    def now(self) -> datetime:
        return self._base.now() + self._offset


_current: Clock = SystemClock()


def now() -> datetime:
    return _current.now()


def today() -> date:
    """Today's date in UTC, by the product's clock."""
    return now().astimezone(timezone.utc).date()


def set_clock(clock: Clock) -> Clock:
    """Make ``clock`` the product's clock; returns the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    previous = set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)


def parse_start(text: str) -> datetime | None:
    """The value of DESKBOT_CLOCK_START: empty for the real clock, else an ISO instant with its offset."""
    if not text.strip():
        return None
    try:
        start = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"{ENV_CLOCK_START} must be an ISO date-time with a UTC offset, e.g. 2026-11-30T09:00:00-05:00; got {text!r}"
        ) from None
    if start.tzinfo is None:
        raise ConfigError(f"{ENV_CLOCK_START} needs a UTC offset (e.g. +00:00 or -05:00), got {text!r}")
    return start


def install_from_setting(text: str) -> Clock:
    """Called once by each process at start-up with its ``clock_start`` setting."""
    start = parse_start(text)
    return set_clock(ShiftedClock(start) if start is not None else SystemClock())


def _aware(moment: datetime, who: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{who} needs an aware datetime, got {moment!r}")
    return moment


__all__ = [
    "ENV_CLOCK_START",
    "Clock",
    "FixedClock",
    "ShiftedClock",
    "SystemClock",
    "install_from_setting",
    "now",
    "parse_start",
    "set_clock",
    "today",
    "using",
]
