"""Twenty agents on two gateway replicas (two desks, two engines) claim from one PostgreSQL queue at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import delete, select

from crm_store.db import create_engine, session_factory, unit_of_work
from crm_store.models import Base, Conversation, Ticket, User
from handoff.desk.escalation import load_policy
from handoff.desk.service import Desk, Presence
from handoff.desk.state_machine import AlreadyClaimed, HandoffStateMachine
from handoff.hub import Hub
from handoff.rasa_client import RasaClient
from handoff.router import ConversationRouter

AGENTS = 20
TICKETS = 30


@pytest.fixture
async def desks(postgresql_url: str) -> AsyncIterator[tuple[Desk, Desk]]:
    """Two replicas' desks, built as the gateway builds its own, each on an engine of its own."""
    engines = [create_engine(postgresql_url), create_engine(postgresql_url)]
    built = []
    async with aiohttp.ClientSession() as http:
        for engine in engines:
            sessions, hub, policy = session_factory(engine), Hub(), load_policy()
            rasa = RasaClient(http, "http://127.0.0.1:9", "token")  # claims never ask the bot
            router = ConversationRouter(sessions, rasa, hub)
            machine = HandoffStateMachine(sessions, hub, policy, skip_locked=True)
            built.append(Desk(sessions, hub, router, machine, policy, rasa, Presence()))
        try:
            yield built[0], built[1]
        finally:
            for desk in built:
                await desk.router.close()
            async with engines[0].begin() as connection:
                for table in reversed(Base.metadata.sorted_tables):
                    await connection.execute(delete(table))
            for engine in engines:
                await engine.dispose()


async def agents_and_queue(desk: Desk) -> list[User]:
    """Twenty agents, and thirty conversations waiting for a person."""
    async with unit_of_work(desk.sessions) as session:
        agents = [
            User(username=f"agent{n}", display_name=f"Agent {n}", role="agent", password_hash="x")
            for n in range(AGENTS)
        ]
        session.add_all(agents)
        session.add_all(Conversation(id=f"waiting-{n:03d}", channel="web") for n in range(TICKETS))
    for n in range(TICKETS):
        await desk.machine.escalate(f"waiting-{n:03d}", "asked_for_agent", {})
    return agents


async def stored_tickets(desk: Desk) -> dict[int, Ticket]:
    async with unit_of_work(desk.sessions) as session:
        return {ticket.id: ticket for ticket in (await session.execute(select(Ticket))).scalars()}


def check_every_ticket_claimed_once(per_agent: list[list[int]], agents: list[User], tickets: dict[int, Ticket]) -> None:
    claimed = Counter(ticket_id for taken in per_agent for ticket_id in taken)
    assert [ticket_id for ticket_id, count in claimed.items() if count > 1] == [], "no ticket claimed twice"
    assert sorted(claimed) == sorted(tickets), "every ticket claimed by someone: none lost"
    assert all(ticket.status == "assigned" for ticket in tickets.values())
    for agent, taken in zip(agents, per_agent, strict=True):
        assert all(tickets[ticket_id].agent_id == agent.id for ticket_id in taken), "the owner is who was told so"


async def test_agents_claiming_from_the_queue_list_on_two_replicas(desks) -> None:  # type: ignore[no-untyped-def]
    """As the console does: each agent looks at the queue and claims a waiting ticket, until none waits.

    Agent n takes the n-th waiting ticket (counting round), so they collide whenever fewer tickets wait than
    agents look, and ever more often as the queue empties.
    """
    a, b = desks
    agents = await agents_and_queue(a)

    async def work(n: int, desk: Desk, agent: User) -> list[int]:
        taken = []
        while waiting := [ticket for ticket in await desk.queue() if ticket.status == "queued"]:
            try:
                taken.append((await desk.machine.claim(waiting[n % len(waiting)].id, agent)).id)
            except AlreadyClaimed:
                continue  # someone was quicker: look at the queue again
        return taken

    per_agent = await asyncio.gather(*(work(n, a if n % 2 else b, agent) for n, agent in enumerate(agents)))
    check_every_ticket_claimed_once(per_agent, agents, await stored_tickets(a))


async def test_take_next_on_two_replicas_gives_every_agent_a_ticket_while_tickets_wait(desks) -> None:  # type: ignore[no-untyped-def]
    a, b = desks
    agents = await agents_and_queue(a)

    first_round = await asyncio.gather(
        *(((a if n % 2 else b).machine.claim_next(agent)) for n, agent in enumerate(agents))
    )
    assert all(ticket is not None for ticket in first_round), "nobody is told 'queue empty' while tickets wait"
    assert len({ticket.id for ticket in first_round if ticket is not None}) == AGENTS

    async def work(desk: Desk, agent: User) -> list[int]:
        taken = []
        while (ticket := await desk.machine.claim_next(agent)) is not None:
            taken.append(ticket.id)
        return taken

    rest = await asyncio.gather(*(work(a if n % 2 else b, agent) for n, agent in enumerate(agents)))
    per_agent = [[first.id, *more] for first, more in zip(first_round, rest, strict=True) if first is not None]
    check_every_ticket_claimed_once(per_agent, agents, await stored_tickets(a))
