"""Moving-window counts kept in this process: what ``handoff.limits`` uses when no shared storage is set.

The ``limits`` library's own in-memory storage (2.4, the release Rasa's pins allow) walks every event of
every key, taking a lock per event, on each hit: with 1,000 customers who each sent ten messages in the
last hour, counting one message cost the gateway's event loop about 60 ms (``python -m bench limits``).
Here each key keeps only its last ``amount`` events, oldest first, so a hit touches one key; keys whose
events have all expired are dropped by a sweep over the keys (not the events) once a minute.

The answers are the library's moving window: an event is refused while ``amount`` events lie within the
window. The reset time is when the oldest of those leaves it, so the wait told to a customer is the
real one (the library reports the newest event's, a wait up to a whole window too long).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from limits import RateLimitItem

SWEEP_EVERY_S = 60.0


@dataclass
class _Window:
    expiry: float
    events: deque[float] = field(default_factory=deque)  # times of the last ``amount`` events, oldest first

    def drop_expired(self, now: float) -> None:
        while self.events and self.events[0] < now - self.expiry:  # the library's window includes its edge
            self.events.popleft()


class MovingWindows:
    """The moving-window strategy's four calls (``test``, ``hit``, ``get_window_stats``, ``clear``), in memory.

    ``clock``: seconds since the epoch, as the library's windows use (``time.time``); tests pass their own.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._windows: dict[str, _Window] = {}
        self._next_sweep = clock() + SWEEP_EVERY_S

    def __len__(self) -> int:
        """How many keys are held (for tests and the benchmark: idle ones are swept)."""
        return len(self._windows)

    async def test(self, item: RateLimitItem, *identifiers: str) -> bool:
        """Whether one more event would be let through; counts nothing."""
        window = self._current(item.key_for(*identifiers))
        return window is None or len(window.events) < item.amount

    async def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        """Count one event if the window has room; False (and nothing counted) when it is full."""
        key = item.key_for(*identifiers)
        window = self._current(key)
        if window is None:
            window = self._windows[key] = _Window(float(item.get_expiry()))
        if len(window.events) >= item.amount:
            return False
        window.events.append(self.clock())
        return True

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> tuple[float, int]:
        """(when the next event will find room, in epoch seconds; how many events the window still has room for).

        Unlike the library's, the time is not rounded: the wait told to a customer is rounded up once, from it.
        """
        now = self.clock()
        window = self._current(item.key_for(*identifiers), now)
        if window is None or not window.events:
            return now, item.amount
        remaining = item.amount - len(window.events)
        reset = now if remaining > 0 else window.events[0] + window.expiry
        return reset, remaining

    async def clear(self, item: RateLimitItem, *identifiers: str) -> None:
        self._windows.pop(item.key_for(*identifiers), None)

    def _current(self, key: str, now: float | None = None) -> _Window | None:
        """The key's window with expired events dropped (as of ``now``, by default the clock's); None when the key
        holds nothing."""
        now = self.clock() if now is None else now
        if now >= self._next_sweep:
            self._sweep(now)
        window = self._windows.get(key)
        if window is not None:
            window.drop_expired(now)
        return window

    def _sweep(self, now: float) -> None:
        self._next_sweep = now + SWEEP_EVERY_S
        idle = [
            key for key, window in self._windows.items() if not window.events or window.events[-1] < now - window.expiry
        ]
        for key in idle:
            del self._windows[key]


__all__ = ["MovingWindows"]
