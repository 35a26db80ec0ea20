"""Follow-ups in the store: scheduling, conditional state changes, and the report's figures (both databases)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from crm_store.db import unit_of_work
from crm_store.models import Conversation, FollowUp, Ticket
from crm_store.repositories import FollowUpRepository
from crm_store.repositories.report_figures import FollowUpFigures, ReportFilter
from crm_store.repositories.reports import follow_up_visits

MONDAY = datetime(2026, 11, 2, 15, tzinfo=timezone.utc)  # 10:00 in New York
WEEK = ReportFilter(start=MONDAY - timedelta(hours=15), end=MONDAY + timedelta(days=7))


async def _resolved_ticket(session, conversation_id: str, channel: str = "web") -> Ticket:  # type: ignore[no-untyped-def]
    session.add(Conversation(id=conversation_id, channel=channel, started_at=MONDAY - timedelta(days=5)))
    await session.flush()
    ticket = Ticket(
        conversation_id=conversation_id,
        reason="complaint",
        status="resolved",
        created_at=MONDAY - timedelta(days=4),
        resolved_at=MONDAY - timedelta(days=3),
        context={},
    )
    session.add(ticket)
    await session.flush()
    return ticket


async def test_a_newer_resolution_replaces_a_follow_up_not_yet_sent(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        ticket = await _resolved_ticket(session, "twice-resolved")
        repository = FollowUpRepository(session)
        first = await repository.schedule(ticket, MONDAY, "Sorted?", at=MONDAY - timedelta(days=3))
        second = await repository.schedule(ticket, MONDAY + timedelta(days=1), "Sorted now?", at=MONDAY)
        first_id, second_id = first.id, second.id
    async with unit_of_work(sessions) as session:
        repository = FollowUpRepository(session)
        assert (await repository.get(first_id)).state == "cancelled"
        assert (await repository.get(second_id)).state == "scheduled"
        assert await repository.due_ids(MONDAY + timedelta(hours=23)) == [], "not due a minute early"
        assert await repository.due_ids(MONDAY + timedelta(days=1)) == [second_id]


async def test_a_state_changes_only_from_the_state_expected(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        ticket = await _resolved_ticket(session, "claimed-once")
        follow_up_id = (await FollowUpRepository(session).schedule(ticket, MONDAY, "Sorted?", at=MONDAY)).id
    async with unit_of_work(sessions) as session:
        repository = FollowUpRepository(session)
        assert await repository.move(follow_up_id, "scheduled", "sent", sent_at=MONDAY)
        assert not await repository.move(follow_up_id, "scheduled", "sent", sent_at=MONDAY), "a second claim loses"
        assert not await repository.rate(follow_up_id, "claimed-once", 5), "no rating before a yes"
        assert await repository.move(follow_up_id, "sent", "answered_yes", answered_at=MONDAY)
        assert not await repository.rate(follow_up_id, "another-conversation", 5), "only in its own conversation"
        assert await repository.rate(follow_up_id, "claimed-once", 4)
        assert not await repository.rate(follow_up_id, "claimed-once", 1), "rated once"
    async with unit_of_work(sessions) as session:
        stored = await session.get(FollowUp, follow_up_id)
    assert (stored.state, stored.rating) == ("answered_yes", 4)


async def test_the_reports_figures_count_follow_ups_by_the_range_they_fell_due_in(sessions) -> None:  # type: ignore[no-untyped-def]
    # (state, rating, days after Monday 10:00 it fell due, channel); hand-counted below.
    cases = [
        ("answered_yes", 5, 0, "web"),
        ("answered_yes", 2, 1, "telegram"),
        ("answered_yes", None, 1, "web"),  # said yes, never rated
        ("reopened", None, 2, "web"),
        ("answered_no", None, 2, "telegram"),  # a person already had the conversation
        ("sent", None, 3, "web"),
        ("cancelled", None, 4, "web"),
        ("scheduled", None, 6, "web"),  # due on Sunday, not sent yet
        ("answered_yes", 1, 7, "web"),  # due the Monday after: another range
        ("answered_yes", 3, -1, "web"),  # due the Sunday before: another range
    ]
    async with unit_of_work(sessions) as session:
        for number, (state, rating, days, channel) in enumerate(cases):
            ticket = await _resolved_ticket(session, f"visited-{number}", channel)
            session.add(
                FollowUp(
                    ticket_id=ticket.id,
                    conversation_id=ticket.conversation_id,
                    text="Sorted?",
                    state=state,
                    rating=rating,
                    due_at=MONDAY + timedelta(days=days),
                    created_at=MONDAY - timedelta(days=3),
                )
            )
    async with unit_of_work(sessions) as session:
        week = await follow_up_visits(session, WEEK)
        telegram = await follow_up_visits(session, ReportFilter(WEEK.start, WEEK.end, channel="telegram"))
    assert week == FollowUpFigures(
        total=8,
        scheduled=1,
        unanswered=1,
        answered_yes=3,
        answered_no=2,  # the reopened one and the plain no
        reopened=1,
        cancelled=1,
        rated=2,
        rating_average=3.5,  # (5 + 2) / 2
    )
    assert telegram == FollowUpFigures(
        total=2,
        scheduled=0,
        unanswered=0,
        answered_yes=1,
        answered_no=1,
        reopened=0,
        cancelled=0,
        rated=1,
        rating_average=2.0,
    )
