"""The handoff state machine on real SQLite and PostgreSQL, including many agents claiming at once."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Message, Ticket, User
from crm_store.repositories import AuditRepository
from handoff.desk.escalation import load_policy
from handoff.desk.state_machine import HANDOFF_TOPIC, AlreadyClaimed, HandoffStateMachine
from handoff.errors import NotFound
from handoff.hub import Hub

AGENTS = 20


def machine_for(sessions, database_url: str, hub: Hub | None = None) -> HandoffStateMachine:  # type: ignore[no-untyped-def]
    return HandoffStateMachine(sessions, hub or Hub(), load_policy(), skip_locked=database_url.startswith("postgresql"))


async def make_agents(sessions, count: int = AGENTS) -> list[User]:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        agents = [
            User(username=f"agent{n}", display_name=f"Agent {n}", role="agent", password_hash="x") for n in range(count)
        ]
        session.add_all(agents)
    return agents


async def make_conversations(sessions, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    ids = [f"conversation-{n:03d}" for n in range(count)]
    async with unit_of_work(sessions) as session:
        session.add_all(Conversation(id=conversation_id, channel="web") for conversation_id in ids)
    return ids


async def test_escalate_claim_hand_back_moves_the_conversation_through_its_states(sessions, database_url) -> None:
    hub = Hub()
    machine = machine_for(sessions, database_url, hub)
    [agent] = await make_agents(sessions, 1)
    [conversation_id] = await make_conversations(sessions, 1)
    async with hub.subscribe(HANDOFF_TOPIC) as events:
        ticket = await machine.escalate(conversation_id, "complaint", {"reason": "complaint"}, tier="vip")
        assert (ticket.status, ticket.priority) == ("queued", 40), "VIP outranks the complaint priority"
        assert ticket.sla_due_at is not None and (ticket.sla_due_at - ticket.created_at).total_seconds() == 300
        again = await machine.escalate(conversation_id, "asked_for_agent", {})
        assert again.id == ticket.id, "a waiting conversation keeps its ticket"

        claimed = await machine.claim(ticket.id, agent)
        assert claimed.status == "assigned" and claimed.agent_id == agent.id and claimed.claimed_at is not None
        resolved = await machine.hand_back(ticket.id, agent, "Sent a replacement")
        assert resolved.status == "resolved" and resolved.resolution == "Sent a replacement"
        published = [events.get_nowait()["event"] for _ in range(events.qsize())]
    assert published == ["escalated", "claimed", "resolved"], "one event per transition"
    async with unit_of_work(sessions) as session:
        conversation = await session.get(Conversation, conversation_id)
        notices = [m.text for m in (await session.execute(Message.__table__.select())).all()]
        audit = await AuditRepository(session).for_entity("ticket", ticket.id)
    assert conversation.state == "bot"
    assert any("joined the chat" in text for text in notices) and any("handed you back" in text for text in notices)
    assert [entry.action for entry in audit] == ["ticket.escalated", "ticket.claimed", "ticket.resolved"]


async def test_only_the_owner_can_release_or_resolve(sessions, database_url) -> None:
    machine = machine_for(sessions, database_url)
    owner, other = await make_agents(sessions, 2)
    [conversation_id] = await make_conversations(sessions, 1)
    ticket = await machine.escalate(conversation_id, "asked_for_agent", {})
    await machine.claim(ticket.id, owner)
    with pytest.raises(NotFound, match="no such ticket"):
        await machine.hand_back(ticket.id, other, "not mine")
    with pytest.raises(AlreadyClaimed):
        await machine.claim(ticket.id, other)
    released = await machine.release(ticket.id, owner)
    assert released.status == "queued" and released.agent_id is None
    moved = await machine.claim(ticket.id, other)
    assert moved.agent_id == other.id
    transferred = await machine.transfer(ticket.id, other, owner)
    assert transferred.agent_id == owner.id


@pytest.mark.parametrize("round_", range(3))
async def test_twenty_agents_claim_one_ticket_exactly_one_wins(sessions, database_url, round_: int) -> None:
    machine = machine_for(sessions, database_url)
    agents = await make_agents(sessions)
    [conversation_id] = await make_conversations(sessions, 1)
    ticket = await machine.escalate(conversation_id, "asked_for_agent", {})
    results = await asyncio.gather(*(machine.claim(ticket.id, agent) for agent in agents), return_exceptions=True)
    winners = [result for result in results if isinstance(result, Ticket)]
    losers = [result for result in results if isinstance(result, AlreadyClaimed)]
    assert len(winners) == 1 and len(losers) == AGENTS - 1, results
    async with unit_of_work(sessions) as session:
        stored = await session.get(Ticket, ticket.id)
    assert stored.agent_id == winners[0].agent_id


@pytest.mark.parametrize("round_", range(3))
async def test_twenty_agents_take_next_from_one_queue_no_double_claims_no_lost_tickets(
    sessions, database_url, round_: int
) -> None:
    machine = machine_for(sessions, database_url)
    agents = await make_agents(sessions)
    conversations = await make_conversations(sessions, 30)
    for conversation_id in conversations:
        await machine.escalate(conversation_id, "asked_for_agent", {})

    async def work(agent: User) -> list[int]:
        taken = []
        while (ticket := await machine.claim_next(agent)) is not None:
            taken.append(ticket.id)
        return taken

    per_agent = await asyncio.gather(*(work(agent) for agent in agents))
    claimed = Counter(ticket_id for taken in per_agent for ticket_id in taken)
    async with unit_of_work(sessions) as session:
        tickets = (await session.execute(Ticket.__table__.select())).all()
    assert all(count == 1 for count in claimed.values()), "no ticket claimed twice"
    assert len(claimed) == len(tickets) == 30, "every ticket claimed by someone"
    assert all(row.status == "assigned" for row in tickets)
    owners = {row.id: row.agent_id for row in tickets}
    assert all(
        owners[ticket_id] == agent.id for agent, taken in zip(agents, per_agent, strict=True) for ticket_id in taken
    )
