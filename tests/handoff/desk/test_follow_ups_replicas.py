"""Follow-ups are in the database: two gateways send each once, and a restarted gateway sends what fell due."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
import pytest

from crm_store.db import unit_of_work
from crm_store.models import Conversation, FollowUp, Message, Ticket
from crm_store.models.base import utcnow
from handoff.channels.web.client import ChatClient
from handoff.keys import FOLLOW_UPS
from tests.handoff.desk.follow_up_helpers import PAST_DUE, follow_ups, resolve_complaint, wake_until_sent
from tests.handoff.gateway import add_staff, running_gateway

QUESTION = "Is everything sorted?"


async def _resolved_complaints_due(sessions, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    """``count`` web conversations whose complaint was resolved, each with a follow-up due a minute ago."""
    now = utcnow()
    ids = [f"replica-customer-{number:02d}" for number in range(count)]
    async with unit_of_work(sessions) as session:
        session.add_all(Conversation(id=conversation_id, channel="web") for conversation_id in ids)
        await session.flush()
        tickets = [
            Ticket(
                conversation_id=conversation_id,
                reason="complaint",
                status="resolved",
                created_at=now - timedelta(days=4),
                resolved_at=now - timedelta(days=3),
                context={},
            )
            for conversation_id in ids
        ]
        session.add_all(tickets)
        await session.flush()
        session.add_all(
            FollowUp(
                ticket_id=ticket.id,
                conversation_id=ticket.conversation_id,
                text=QUESTION,
                state="scheduled",
                due_at=now - timedelta(minutes=1),
                created_at=ticket.resolved_at,
            )
            for ticket in tickets
        )
    return ids


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_gateways_on_one_database_send_each_follow_up_exactly_once(
    sessions, database_url, tmp_path, fixed_clock
) -> None:  # type: ignore[no-untyped-def]
    async with (
        running_gateway(database_url, tmp_path / "a") as first,
        running_gateway(database_url, tmp_path / "b") as second,
    ):
        # Whatever their background loops found at start-up is already out; make more due at once.
        await wake_until_sent(sessions, first, second)
        ids = await _resolved_complaints_due(sessions, 30)
        visits = [gateway.server.app[FOLLOW_UPS].visits for gateway in (first, second)]
        # Both at the same time, on the same rows, besides both background loops.
        first.server.app[FOLLOW_UPS].wake()
        second.server.app[FOLLOW_UPS].wake()
        await asyncio.gather(*(visit.send_due() for visit in visits for _ in range(3)))
        await wake_until_sent(sessions, first, second)

    async with unit_of_work(sessions) as session:
        questions = (await session.execute(Message.__table__.select().where(Message.text == QUESTION))).all()
    assert sorted(row.conversation_id for row in questions) == sorted(ids), "each conversation asked exactly once"
    rows = await follow_ups(sessions)
    assert {row.state for row in rows} == {"sent"}
    assert sorted(row.message_id for row in rows) == sorted(row.id for row in questions)


async def test_a_gateway_started_after_the_due_date_still_sends_the_follow_up(
    sessions, database_url, tmp_path, fixed_clock
) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "kim")
    async with aiohttp.ClientSession() as http:
        async with running_gateway(database_url, tmp_path / "before") as before:
            customer = ChatClient(http, before.base_url)
            await customer.connect()
            await customer.say("the chair arrived scratched")
            await resolve_complaint(before, customer.session_id)
            await customer.close()
        [scheduled] = await follow_ups(sessions)
        assert scheduled.state == "scheduled", "nothing sent before it was due"

        fixed_clock.advance(seconds=PAST_DUE.total_seconds())  # every gateway was down when it fell due
        async with running_gateway(database_url, tmp_path / "after") as after:
            await wake_until_sent(sessions)  # no wake: the new gateway's first pass at start-up finds it
            returning = ChatClient(http, after.base_url)
            await returning.connect(session_id=customer.session_id)
            await returning.close()
    assert "Did the replacement arrive? Is everything sorted?" in [m["text"] for m in returning.history]
    [sent] = await follow_ups(sessions)
    assert sent.state == "sent" and sent.sent_at == fixed_clock.now()
