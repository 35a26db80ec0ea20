"""The demo's support history: the same every time, finished business only, and enough for every chart."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from crm_store.db import unit_of_work
from crm_store.demo_data import generate, seed_database
from crm_store.demo_history import SHOP_ZONE, generate_history, seed_history
from crm_store.models import Message, Ticket
from crm_store.repositories import reports
from crm_store.repositories.report_figures import ReportFilter
from handoff.desk.escalation import load_policy

TODAY = date(2026, 11, 30)


def test_the_same_seed_and_day_give_the_same_history() -> None:
    first, again = generate_history(240, today=TODAY), generate_history(240, today=TODAY)
    assert first == again
    assert generate_history(240, seed=1, today=TODAY) != first
    # Sixty days before today, nothing of today itself.
    starts = [c.messages[0].at.astimezone(SHOP_ZONE).date() for c in first]
    assert min(starts) == TODAY - timedelta(days=60) and max(starts) == TODAY - timedelta(days=1)
    midnight = datetime.combine(TODAY, time(0), tzinfo=SHOP_ZONE)
    assert all(m.at < midnight for c in first for m in c.messages), "no message from the future"
    assert 1000 < len(first) < 2000  # about 25 a day


async def test_seeded_history_fills_every_report_and_leaves_no_work_behind(sessions) -> None:  # type: ignore[no-untyped-def]
    people = generate(customers=30, orders=60, today=TODAY)
    history = generate_history(len(people), today=TODAY, days=14)
    async with unit_of_work(sessions) as session:
        await seed_database(session, people)
        assert await seed_history(session, [p.email for p in people], history) == len(history)
    report = ReportFilter.for_days(TODAY - timedelta(days=14), TODAY - timedelta(days=1), SHOP_ZONE)
    now = datetime.combine(TODAY, time(9), tzinfo=SHOP_ZONE)
    async with unit_of_work(sessions) as session:
        outcomes = await reports.conversation_outcomes(session, report, now)
        first = await reports.first_response(session, report)
        resolution = await reports.resolution(session, report)
        sla = await reports.sla(session, report, now, load_policy().is_open)
        csat = await reports.csat(session, report)
        feedback = await reports.knowledge_feedback(session, report)
        unanswered = await reports.top_unanswered(session, report)
        agents = await reports.agents(session, report)
        unprocessed = await session.scalar(
            select(func.count()).where(Message.sender == "customer", Message.processed_at.is_(None))
        )
        undelivered = await session.scalar(
            select(func.count()).where(Message.sender != "customer", Message.delivered_at.is_(None))
        )
        still_open = await session.scalar(select(func.count()).where(Ticket.status.in_(("queued", "assigned"))))
    assert outcomes.conversations == len(history) and outcomes.ongoing == 0
    assert min(outcomes.contained, outcomes.escalated, outcomes.gave_up, outcomes.left_waiting) > 0
    assert first.bot.count == len(history) and first.human.count > 0
    assert resolution.resolved > 0 and resolution.reopened > 0
    assert sum(row.met for row in sla) > 0 and sum(row.breached for row in sla) > 0
    assert all(group.rated > 0 for group in csat)
    assert feedback.helpful > 0 and feedback.not_helpful > 0 and len(unanswered) >= 3
    assert len(agents) == 3
    assert (unprocessed, undelivered, still_open) == (0, 0, 0), "a gateway started on the demo has nothing to redo"
