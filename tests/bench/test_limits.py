"""bench limits: both counters are timed on the same customers, and every timed message is let through."""

from __future__ import annotations

import asyncio

from bench.limits import library_limiter, main, per_message_seconds
from handoff.limit_windows import MovingWindows
from handoff.limits import Limiter


def test_the_baseline_counts_in_the_librarys_storage_and_the_product_in_its_own() -> None:
    assert not isinstance(library_limiter()._strategy, MovingWindows)
    assert isinstance(Limiter("memory://")._strategy, MovingWindows)


def test_one_timing_per_message_and_none_refused() -> None:
    # A refused message would raise RateLimited out of per_message_seconds.
    for limiter in (library_limiter(), Limiter("memory://")):
        assert len(asyncio.run(per_message_seconds(limiter, customers=3, earlier=10, messages=40))) == 40


def test_a_row_per_customer_count(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--customers", "2,5", "--earlier", "3", "--messages", "20", "--no-append"]) == 0
    rows = [
        line for line in capsys.readouterr().out.splitlines() if line.startswith("| 2 |") or line.startswith("| 5 |")
    ]
    assert [row.split("|")[2].strip() for row in rows] == ["6", "15"]
