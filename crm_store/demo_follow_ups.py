"""Follow-up visits in the demo history: each resolved complaint asked, three days later, whether it is sorted.

Written after ``crm_store.demo_history`` has seeded its tickets, from what is in the database, with a
random generator seeded by each conversation's id: the same history gives the same follow-ups, and the
history's own random sequence is untouched. Nothing happens after ``until`` (the history's last moment):
a follow-up due later stays scheduled, as a real one would; one due earlier was answered or not, and a
"no" reopened a ticket that a colleague resolved, so no ticket is left open.
"""

from __future__ import annotations

import random
import zlib
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import Conversation, FollowUp, Message, Ticket

AFTER = timedelta(days=3)  # the demo's copy of escalation.yml's follow_ups.complaint.after_days
QUESTION = "Did the replacement arrive? Is everything sorted?"
PREFIX = "history-"


async def seed_follow_ups(session: AsyncSession, until: datetime) -> int:
    """Follow-ups for the history's resolved complaints; returns how many were written."""
    tickets = list(
        (
            await session.execute(
                select(Ticket)
                .where(Ticket.conversation_id.startswith(PREFIX), Ticket.reason == "complaint")
                .order_by(Ticket.conversation_id, Ticket.created_at)
            )
        ).scalars()
    )
    by_conversation: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        by_conversation.setdefault(ticket.conversation_id, []).append(ticket)
    written = 0
    for conversation_id, own in by_conversation.items():
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        rng = random.Random(zlib.crc32(conversation_id.encode()))
        for index, ticket in enumerate(own):
            if ticket.resolved_at is None:
                continue
            later = own[index + 1] if index + 1 < len(own) else None
            await _visit(session, rng, conversation, ticket, later, until)
            written += 1
    await session.flush()
    return written


async def _visit(
    session: AsyncSession,
    rng: random.Random,
    conversation: Conversation,
    ticket: Ticket,
    later: Ticket | None,
    until: datetime,
) -> None:
    assert ticket.resolved_at is not None
    due = ticket.resolved_at + AFTER
    follow_up = FollowUp(
        ticket_id=ticket.id, conversation_id=conversation.id, text=QUESTION, due_at=due, created_at=ticket.resolved_at
    )
    session.add(follow_up)
    if later is not None and later.created_at < due:
        follow_up.state = "cancelled"  # the customer came back first; a person had the conversation again
        return
    answered = due + timedelta(hours=rng.uniform(0.2, 20))
    reopened_resolved = answered + timedelta(minutes=rng.uniform(10, 40))
    if reopened_resolved >= until:
        follow_up.state = "scheduled" if due >= until else "sent"
        follow_up.sent_at = due if due < until else None
        if due < until:
            await _say(session, conversation, "bot", QUESTION, due)
        return
    follow_up.sent_at = due
    await _say(session, conversation, "bot", QUESTION, due)
    outcome = rng.choices(("yes", "no", "silent"), (70, 12, 18))[0]
    if outcome == "silent":
        follow_up.state = "sent"
        return
    follow_up.answered_at = answered
    if outcome == "yes":
        follow_up.state = "answered_yes"
        await _say(session, conversation, "customer", "Yes, all sorted", answered)
        if rng.random() < 0.7:  # and, as the gateway does, the rating becomes the conversation's CSAT
            follow_up.rating = conversation.csat = rng.choices((5, 4, 3, 2), (55, 30, 10, 5))[0]
        return
    await _say(session, conversation, "customer", "No, not yet", answered)
    claimed = answered + timedelta(minutes=rng.uniform(1, 5))
    again = Ticket(
        conversation_id=conversation.id,
        customer_id=ticket.customer_id,
        reason=ticket.reason,
        priority=0,
        status="resolved",
        agent_id=ticket.agent_id,
        context={
            "reason": ticket.reason,
            "summary": "From the demo history.",
            "reopened_from": {"ticket_id": ticket.id},
        },
        created_at=answered + timedelta(seconds=2),
        sla_due_at=answered + timedelta(minutes=10),
        claimed_at=claimed,
        first_response_at=claimed + timedelta(seconds=30),
        resolved_at=reopened_resolved,
        resolution="Sent a second replacement.",
    )
    session.add(again)
    await session.flush()
    await _say(
        session, conversation, "agent", "Sorry it is still not right; I'm on it.", claimed + timedelta(seconds=30)
    )
    follow_up.state, follow_up.reopened_ticket_id = "reopened", again.id


async def _say(session: AsyncSession, conversation: Conversation, sender: str, text: str, at: datetime) -> None:
    # Finished business, like the rest of the history: processed if the customer's, delivered if ours.
    session.add(
        Message(
            conversation_id=conversation.id,
            sender=sender,
            text=text,
            channel=conversation.channel,
            created_at=at,
            processed_at=at if sender == "customer" else None,
            delivered_at=at if sender != "customer" else None,
        )
    )
    conversation.last_message_at = max(conversation.last_message_at, at)


__all__ = ["seed_follow_ups"]
