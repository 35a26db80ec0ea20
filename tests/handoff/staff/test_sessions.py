"""Console sessions against a real gateway: an idle timeout on the product's clock, and other agents' tickets as 404."""

from __future__ import annotations

from crm_store import clock
from crm_store.db import unit_of_work
from crm_store.models import Conversation, Ticket
from crm_store.repositories import UserRepository
from tests.handoff.gateway import add_staff, cookie_session, running_gateway
from tests.staff_client import Agent


async def test_a_session_ends_after_the_idle_timeout_and_at_its_lifetime(
    sessions, database_url, tmp_path, fixed_clock: clock.FixedClock
) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "alex")
    async with (
        running_gateway(database_url, tmp_path, staff_idle_timeout_minutes=60) as gateway,
        cookie_session() as http,
    ):
        agent = Agent(http, gateway.base_url)
        assert (await agent.login("alex")).status == 302
        for _ in range(3):  # busy: a request every 50 minutes keeps the session
            fixed_clock.advance(minutes=50)
            assert (await agent.get("/me"))[0] == 200
        fixed_clock.advance(minutes=61)
        assert (await agent.get("/me"))[0] == 401, "an hour without a request signs the agent out"

        assert (await agent.login("alex")).status == 302
        for _ in range(15):  # never idle, but no sign-in outlives its 12 hours
            fixed_clock.advance(minutes=50)
            status, _ = await agent.get("/me")
        assert status == 401


async def test_claiming_another_agents_ticket_looks_like_no_ticket(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "alex")
    await add_staff(sessions, "sam")
    await add_staff(sessions, "ada", role="admin")
    async with unit_of_work(sessions) as session:
        sam = await UserRepository(session).by_username("sam")
        assert sam is not None
        session.add(Conversation(id="c" * 24, channel="web", state="assigned"))
        await session.flush()
        ticket = Ticket(conversation_id="c" * 24, reason="asked_for_agent", status="assigned", agent_id=sam.id)
        session.add(ticket)
        await session.flush()
        ticket_id = ticket.id
    async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as a, cookie_session() as b:
        alex, admin = Agent(a, gateway.base_url), Agent(b, gateway.base_url)
        await alex.login("alex")
        await admin.login("ada")
        missing = await alex.post("/tickets/99999999/claim")
        assert missing == (404, {"error": "not_found", "message": "no such ticket"})
        assert await alex.post(f"/tickets/{ticket_id}/claim") == missing
        status, body = await admin.post(f"/tickets/{ticket_id}/claim")
        assert (status, body["error"]) == (409, "already_claimed"), (
            "an admin sees every ticket, so is told it was taken"
        )
