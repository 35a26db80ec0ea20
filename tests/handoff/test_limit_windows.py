"""The in-process moving windows: the library's decisions, at a cost that does not grow with everyone else's events."""

from __future__ import annotations

import random
import types

import pytest
from limits import parse, parse_many
from limits.aio.storage import memory as library_memory
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from handoff.errors import RateLimited
from handoff.limit_windows import SWEEP_EVERY_S, MovingWindows
from handoff.limits import Limiter, Rule


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_a_full_window_refuses_and_frees_one_place_as_each_event_leaves_it() -> None:
    clock = Clock()
    windows = MovingWindows(clock)
    item = parse("3/minute")
    for _ in range(3):  # at 0, 10 and 20 s
        assert await windows.hit(item, "chat", "conn-1")
        clock.now += 10
    assert not await windows.test(item, "chat", "conn-1")
    assert not await windows.hit(item, "chat", "conn-1"), "a full window counts nothing more"
    assert await windows.test(item, "chat", "conn-2"), "another key has its own window"

    clock.now += 30  # at 60 s the first event is on the window's edge, still inside it
    assert not await windows.test(item, "chat", "conn-1")
    clock.now += 1  # now it has left: one place, not three (a moving window, not a fixed one)
    assert await windows.hit(item, "chat", "conn-1")
    assert not await windows.test(item, "chat", "conn-1")


async def test_the_reset_time_is_when_the_oldest_event_in_a_full_window_leaves_it() -> None:
    clock = Clock(1000.0)
    windows = MovingWindows(clock)
    item = parse("2/minute")
    assert await windows.get_window_stats(item, "k") == (1000, 2)
    await windows.hit(item, "k")
    clock.now = 1030.0
    await windows.hit(item, "k")
    assert await windows.get_window_stats(item, "k") == (1060, 0), "the event of 1000 leaves at 1060"
    clock.now = 1061.0
    assert await windows.get_window_stats(item, "k") == (1061, 1)


async def test_a_cleared_key_starts_afresh() -> None:
    windows = MovingWindows(Clock())
    item = parse("1/hour")
    await windows.hit(item, "k")
    assert not await windows.test(item, "k")
    await windows.clear(item, "k")
    assert await windows.hit(item, "k")


async def test_idle_keys_are_swept_so_memory_follows_the_active_ones() -> None:
    clock = Clock()
    windows = MovingWindows(clock)
    minute = parse("5/minute")
    for connection in range(100):
        await windows.hit(minute, f"conn-{connection}")
    assert len(windows) == 100
    clock.now += SWEEP_EVERY_S + 61
    await windows.hit(minute, "a newcomer")
    assert len(windows) == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_it_lets_through_exactly_what_the_librarys_memory_storage_lets_through(monkeypatch, seed) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    monkeypatch.setattr(library_memory, "time", types.SimpleNamespace(time=clock))
    storage = storage_from_string("async+memory://")
    library = MovingWindowRateLimiter(storage)
    ours = MovingWindows(clock)
    items = parse_many("3/minute;7/hour")
    rng = random.Random(seed)
    decisions = []
    for _ in range(600):
        clock.now += rng.choice((0.0, 0.5, 5.0, 20.0, 61.0, 400.0))
        key = rng.choice(("a", "b", "c"))
        item = rng.choice(items)
        if rng.random() < 0.5:
            theirs, mine = await library.hit(item, key), await ours.hit(item, key)
        else:
            theirs, mine = await library.test(item, key), await ours.test(item, key)
        assert mine == theirs, f"step {len(decisions)}: library {theirs}, ours {mine}"
        decisions.append(mine)
    assert True in decisions and False in decisions, "the sequence reached full windows and free ones"


async def test_the_limiter_tells_the_real_wait_from_its_own_clock() -> None:
    clock = Clock(5000.0)
    limiter = Limiter("memory://", clock=clock)
    rule = Rule("chat-connection", tuple(parse_many("2/minute")))
    await limiter.take([(rule, "conn")], "wait {wait}")
    clock.now += 45
    await limiter.take([(rule, "conn")], "wait {wait}")
    with pytest.raises(RateLimited) as refused:
        await limiter.take([(rule, "conn")], "wait {wait}")
    assert refused.value.retry_after == 15, "the first message leaves the minute 15 s from now"
    assert str(refused.value) == "wait 15 seconds"
    assert limiter.state == "counting"
