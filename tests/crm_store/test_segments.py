"""Segments recomputed from a hand-built CRM, each expectation worked out from crm_store.segments' table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_store import clock
from crm_store.db import unit_of_work
from crm_store.models import Conversation, CustomerSegment, Message, Ticket
from crm_store.repositories import SegmentRepository
from crm_store.repositories.report_figures import ReportFilter
from crm_store.repositories.segments import SegmentRow, segment_report
from crm_store.segments import monetary, recency
from tests.factories import make_customer, make_order

DAY = timedelta(days=1)


async def _build(sessions, now):  # type: ignore[no-untyped-def]
    """Five named customers; returns their ids by name."""
    async with unit_of_work(sessions) as session:
        ada = make_customer(first_name="Ada")  # no orders at all
        ben = make_customer(first_name="Ben")
        make_order(ben, "B-1", placed_at=now - 30 * DAY, total_cents=40_00)  # exactly 30 days: still active
        cal = make_customer(first_name="Cal")
        make_order(cal, "C-1", placed_at=now - 30 * DAY - timedelta(seconds=1), total_cents=200_00)  # just lapsing
        make_order(cal, "C-2", placed_at=now - 60 * DAY, total_cents=150_00)
        make_order(cal, "C-3", status="refunded", placed_at=now - 5 * DAY, total_cents=900_00)  # taken back
        dee = make_customer(first_name="Dee", tier="vip")
        for n in range(1, 6):
            make_order(dee, f"D-{n}", status="delivered", placed_at=now - n * DAY, total_cents=120_00)
        make_order(dee, "D-6", status="cancelled", placed_at=now - 2 * DAY, total_cents=50_00)
        eve = make_customer(first_name="Eve", tier="gold")
        make_order(eve, "E-1", placed_at=now - 91 * DAY, total_cents=50_00)
        make_order(eve, "E-2", placed_at=now - 400 * DAY, total_cents=50_00)  # outside the year: recency only
        session.add_all([ada, ben, cal, dee, eve])
        await session.flush()
        session.add(Conversation(id="conv-dee", channel="web", customer_id=dee.id))
        session.add(Conversation(id="conv-eve", channel="web", customer_id=eve.id))
        await session.flush()
        session.add_all(
            [
                Ticket(conversation_id="conv-dee", customer_id=dee.id, reason="complaint", status="assigned"),
                Ticket(conversation_id="conv-eve", customer_id=eve.id, reason="complaint", status="resolved"),
                Ticket(conversation_id="conv-eve", customer_id=eve.id, reason="asked_for_agent", status="queued"),
            ]
        )
        return {"ada": ada.id, "ben": ben.id, "cal": cal.id, "dee": dee.id, "eve": eve.id}


async def _rows(sessions, ids):  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        rows = {row.customer_id: row for row in await session.scalars(select(CustomerSegment))}
    return {name: rows[customer_id] for name, customer_id in ids.items()}


async def test_recompute_matches_the_hand_computed_segments(sessions, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    now = clock.now()
    ids = await _build(sessions, now)
    async with unit_of_work(sessions) as session:
        result = await SegmentRepository(session).recompute(now)
    assert result is not None and result.customers == 5
    rows = await _rows(sessions, ids)
    figures = {
        name: (r.recency, r.frequency, r.monetary, r.orders_in_window, r.spend_in_window_cents)
        for name, r in rows.items()
    }
    assert figures == {
        "ada": ("none", "none", "none", 0, 0),
        "ben": ("active", "one_time", "low", 1, 40_00),
        "cal": ("lapsing", "repeat", "mid", 2, 350_00),  # the refunded $900 counts for nothing
        "dee": ("active", "loyal", "high", 5, 600_00),  # the cancelled order is no purchase
        "eve": ("lapsed", "one_time", "low", 1, 50_00),
    }
    assert {name: r.segments for name, r in rows.items()} == {
        "ada": ["new"],
        "ben": [],
        "cal": ["at_risk"],
        "dee": ["champion", "high_value", "premium", "complaining"],  # the open complaint; not Eve's resolved one
        "eve": ["lapsed", "premium"],
    }
    assert rows["dee"].open_complaints == 1 and rows["eve"].open_complaints == 0
    assert result.by_segment == {
        "new": 1,
        "at_risk": 1,
        "champion": 1,
        "high_value": 1,
        "premium": 2,
        "complaining": 1,
        "lapsed": 1,
    }


async def test_recompute_follows_the_clock_and_is_idempotent(sessions, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    now = clock.now()
    ids = await _build(sessions, now)
    for _ in range(2):  # the same instant twice: the same rows, no duplicates
        async with unit_of_work(sessions) as session:
            await SegmentRepository(session).recompute(now)
    assert (await _rows(sessions, ids))["ben"].recency == "active"
    fixed_clock.at = now + timedelta(seconds=1)  # Ben's order is now 30 days and a second old
    async with unit_of_work(sessions) as session:
        await SegmentRepository(session).recompute(clock.now())
        assert await SegmentRepository(session).names_for(ids["cal"]) == ("at_risk",)
        assert await SegmentRepository(session).names_for(None) == ()
    rows = await _rows(sessions, ids)
    assert rows["ben"].recency == "lapsing" and rows["ben"].computed_at == clock.now()


async def test_a_scheduled_run_skips_rows_fresher_than_asked(sessions, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    now = clock.now()
    await _build(sessions, now)
    async with unit_of_work(sessions) as session:
        assert await SegmentRepository(session).recompute(now, unless_within=timedelta(minutes=54)) is not None, (
            "no rows yet: nothing is fresh"
        )
    fixed_clock.at = now + timedelta(minutes=53)
    async with unit_of_work(sessions) as session:
        assert await SegmentRepository(session).recompute(clock.now(), unless_within=timedelta(minutes=54)) is None
    fixed_clock.at = now + timedelta(minutes=54)
    async with unit_of_work(sessions) as session:
        assert await SegmentRepository(session).recompute(clock.now(), unless_within=timedelta(minutes=54)) is not None


def test_bucket_boundaries() -> None:
    now = clock.now()
    assert recency(now - 90 * DAY, now) == "lapsing"
    assert recency(now - 90 * DAY - timedelta(microseconds=1), now) == "lapsed"
    assert [monetary(c) for c in (0, 99_99, 100_00, 499_99, 500_00)] == ["none", "low", "mid", "mid", "high"]


async def test_the_report_counts_each_segments_members_and_their_range(sessions, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    now = clock.now()
    await _build(sessions, now)
    async with unit_of_work(sessions) as session:
        session.add(Message(conversation_id="conv-dee", sender="customer", channel="web", text="The lid is cracked"))
        await SegmentRepository(session).recompute(now)
    async with unit_of_work(sessions) as session:
        rows = await segment_report(session, ReportFilter(now - DAY, now + DAY))
        before = await segment_report(session, ReportFilter(now - 3 * DAY, now - DAY))
    # Eve's conversation has no customer message, so it is no conversation; her two tickets still count.
    assert rows == [
        SegmentRow("new", 1, 0, 0),
        SegmentRow("champion", 1, 1, 1),
        SegmentRow("high_value", 1, 1, 1),
        SegmentRow("at_risk", 1, 0, 0),
        SegmentRow("lapsed", 1, 0, 2),
        SegmentRow("premium", 2, 1, 3),
        SegmentRow("complaining", 1, 1, 1),
    ]
    assert [(row.conversations, row.tickets) for row in before] == [(0, 0)] * 7, "nothing happened in that range"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_second_replica_skips_while_one_recomputes(sessions, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    now = clock.now()
    await _build(sessions, now)
    async with unit_of_work(sessions) as first:
        assert await SegmentRepository(first).recompute(now) is not None
        async with unit_of_work(sessions) as second:  # another connection, as another replica would have
            assert await SegmentRepository(second).recompute(now) is None
    async with unit_of_work(sessions) as third:  # the lock ended with the first transaction
        assert await SegmentRepository(third).recompute(now) is not None
