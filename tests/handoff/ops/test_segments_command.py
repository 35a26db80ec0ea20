"""``deskbot segments recompute`` as an operator runs it, and the gateway's schedule."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from crm_store import clock
from crm_store.db import create_engine, session_factory, unit_of_work
from crm_store.models import CustomerSegment
from handoff.desk.segment_schedule import SegmentSchedule
from tests.factories import make_customer, make_order
from tests.handoff.ops.test_cli import deskbot


def test_recompute_prints_the_count_per_segment(tmp_path: Path) -> None:
    env = {"DESKBOT_VAR_DIR": str(tmp_path / "var")}
    assert deskbot("db", "upgrade", env=env).returncode == 0

    async def customers() -> None:
        engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'deskbot.db'}")
        async with unit_of_work(session_factory(engine)) as session:
            buyer = make_customer(tier="gold")
            make_order(buyer, "G-1", placed_at=clock.now() - timedelta(days=3), total_cents=650_00)
            session.add_all([make_customer(), buyer])
        await engine.dispose()

    asyncio.run(customers())
    result = deskbot("segments", "recompute", env=env)
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    assert "segments recomputed for 2 customers" in result.stdout
    assert ["new", "1"] in lines and ["high_value", "1"] in lines and ["premium", "1"] in lines
    assert ["champion", "0"] in lines, "one order is not loyal"


async def test_the_schedule_recomputes_at_start_and_stops_cleanly(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        session.add(make_customer())
    schedule = SegmentSchedule(sessions, every=timedelta(hours=1))
    schedule.start()
    try:
        for _ in range(100):
            async with unit_of_work(sessions) as session:
                rows = list(await session.scalars(select(CustomerSegment)))
            if rows:
                break
            await asyncio.sleep(0.05)
    finally:
        await schedule.stop()
    assert [row.segments for row in rows] == [["new"]]
