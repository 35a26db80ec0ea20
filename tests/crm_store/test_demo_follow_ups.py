"""The demo history's follow-up visits: every kind the reports count, and no work left for a gateway."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from crm_store.db import unit_of_work
from crm_store.demo_data import generate, seed_database
from crm_store.demo_history import SHOP_ZONE, generate_history, seed_history
from crm_store.models import FollowUp, Message, Ticket
from crm_store.repositories.report_figures import ReportFilter
from crm_store.repositories.reports import follow_up_visits

TODAY = date(2026, 11, 30)
DAYS = 30


async def test_the_demo_history_follows_up_its_resolved_complaints(sessions) -> None:  # type: ignore[no-untyped-def]
    people = generate(customers=30, orders=60, today=TODAY)
    history = generate_history(len(people), today=TODAY, days=DAYS)
    async with unit_of_work(sessions) as session:
        await seed_database(session, people)
        await seed_history(session, [p.email for p in people], history)
    report = ReportFilter.for_days(TODAY - timedelta(days=DAYS), TODAY + timedelta(days=7), SHOP_ZONE)
    async with unit_of_work(sessions) as session:
        figures = await follow_up_visits(session, report)
        reopening = select(FollowUp.reopened_ticket_id).where(FollowUp.reopened_ticket_id.is_not(None))
        complaints = await session.scalar(
            select(func.count()).where(
                Ticket.reason == "complaint", Ticket.resolved_at.is_not(None), Ticket.id.not_in(reopening)
            )
        )
        reopened_open = await session.scalar(
            select(func.count())
            .select_from(FollowUp)
            .join(Ticket, Ticket.id == FollowUp.reopened_ticket_id)
            .where(Ticket.status != "resolved")
        )
        latest = await session.scalar(select(func.max(Message.created_at)))
        last_history = max(message.at for conversation in history for message in conversation.messages)
    assert figures.total == complaints > 0, "every resolved complaint of the history is followed up"
    assert min(figures.answered_yes, figures.reopened, figures.rated, figures.scheduled) > 0, figures
    assert figures.answered_no == figures.reopened, "in the demo every no reopens"
    assert reopened_open == 0, "the reopened tickets are resolved too"
    assert latest <= last_history, "nothing happens after the history's last moment"
