"""Human takeover end to end: a customer on the websocket, an agent through the console's HTTP API."""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import pytest

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Ticket
from tests.e2e.client import texts
from tests.staff_client import Agent, next_frame


@pytest.fixture
async def agent_http():  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


async def test_escalate_claim_chat_both_ways_hand_back_and_rate(
    customer, product, staff, agent_http, product_sessions
) -> None:
    await customer.connect()
    replies = await customer.say("I want to talk to a real person please")
    assert "in line" in texts(replies) or "offline right now" in texts(replies), texts(replies)

    agent = Agent(agent_http, product.base_url)
    assert (await agent.login(staff["agent"])).status == 302
    status, queue = await agent.get("/queue")
    mine = [t for t in queue["tickets"] if t["preview"] == "I want to talk to a real person please"]
    assert status == 200 and len(mine) == 1 and mine[0]["reason"] == "asked_for_agent"
    ticket_id = mine[0]["id"]

    status, claimed = await agent.post(f"/tickets/{ticket_id}/claim")
    assert status == 200 and claimed["ticket"]["status"] == "assigned"
    joined = await next_frame(customer, lambda f: f.get("sender") == "system" and "joined" in (f.get("text") or ""))
    assert "Alex" in joined["text"]

    status, _ = await agent.post(f"/tickets/{ticket_id}/typing", {"on": True})
    typing = await next_frame(customer, lambda f: f["type"] == "typing" and f.get("sender") == "agent")
    assert typing["on"] is True
    await agent.post(f"/tickets/{ticket_id}/messages", {"text": "Hi, I'm Alex. How can I help?"})
    said = await next_frame(customer, lambda f: f["type"] == "message" and f.get("sender") == "agent")
    assert said["text"] == "Hi, I'm Alex. How can I help?" and said["agent_name"] == "Alex"

    await customer.send_raw({"type": "message", "client_id": uuid.uuid4().hex, "text": "my parcel never came"})
    with pytest.raises(asyncio.TimeoutError):
        await next_frame(customer, lambda f: f.get("sender") == "bot", timeout=4)  # the bot stays silent
    status, detail = await agent.get(f"/tickets/{ticket_id}")
    assert "my parcel never came" in [m["text"] for m in detail["transcript"]]
    assert detail["ticket"]["context"]["reason"] == "asked_for_agent"
    assert "request_human" in detail["ticket"]["context"]["intents"]

    status, _ = await agent.post(
        f"/tickets/{ticket_id}/resolve", {"resolution": "Reshipped the parcel", "hand_back": True}
    )
    assert status == 200
    rating = await next_frame(customer, lambda f: f.get("sender") == "bot" and "rate" in (f.get("text") or ""))
    await customer.click([rating], "5")
    async with unit_of_work(product_sessions) as session:
        conversation = await session.get(Conversation, customer.session_id)
        ticket = await session.get(Ticket, ticket_id)
    assert conversation.state == "bot" and conversation.csat == 5
    assert ticket.claimed_at and ticket.first_response_at and ticket.resolved_at
    assert ticket.claimed_at <= ticket.first_response_at <= ticket.resolved_at
    assert texts(await customer.say("how long do refunds take?")), "the bot answers again after the hand-back"


async def test_two_failed_turns_escalate_with_reason_bot_failed(customer, product, staff, agent_http) -> None:
    await customer.connect()
    await customer.say("blorp zibble quux")
    second = await customer.say("florp wibble snoo")
    assert "in line" in texts(second) or "offline" in texts(second), texts(second)
    agent = Agent(agent_http, product.base_url)
    await agent.login(staff["agent"])
    _, queue = await agent.get("/queue")
    assert any(t["preview"] == "florp wibble snoo" and t["reason"] == "bot_failed" for t in queue["tickets"])


async def test_console_access_control(product, staff, agent_http) -> None:
    anonymous = Agent(agent_http, product.base_url)
    assert (await anonymous.get("/queue"))[0] == 401
    async with agent_http.get(f"{product.base_url}/console/", allow_redirects=False) as page:
        assert page.status == 302 and page.headers["Location"] == "/console/login"

    bad = await anonymous.login(staff["agent"], "wrong-password-123")
    assert bad.status == 200 and "Wrong username or password" in await bad.text()

    trainer = Agent(agent_http, product.base_url)
    login = await trainer.login(staff["trainer"])
    assert login.status == 302 and login.headers["Location"] == "/trainer/"
    status, body = await trainer.get("/queue")
    assert status == 403 and body["error"] == "forbidden", "a trainer cannot work the agent queue"


async def test_csrf_and_other_agents_tickets(customer, product, staff) -> None:
    await customer.connect()
    await customer.say("can i speak to a human")
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as first_http,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as second_http,
    ):
        first, second = Agent(first_http, product.base_url), Agent(second_http, product.base_url)
        await first.login(staff["agent"])
        await second.login(staff["other_agent"])
        _, queue = await first.get("/queue")
        ticket_id = next(t["id"] for t in queue["tickets"] if t["preview"] == "can i speak to a human")

        status, body = await first.post(f"/tickets/{ticket_id}/claim", csrf=False)
        assert status == 403 and body["error"] == "csrf_failed"
        assert (await first.post(f"/tickets/{ticket_id}/claim"))[0] == 200
        assert await second.post(f"/tickets/{ticket_id}/claim") == (
            404,
            {"error": "not_found", "message": "no such ticket"},
        )

        # Someone else's ticket looks exactly like one that does not exist.
        theirs = await second.get(f"/tickets/{ticket_id}")
        missing = await second.get("/tickets/99999999")
        assert theirs == missing == (404, {"error": "not_found", "message": "no such ticket"})
        assert (await second.post(f"/tickets/{ticket_id}/messages", {"text": "hijack"}))[0] == 404
        assert (await second.post(f"/tickets/{ticket_id}/notes", {"text": "peek"}))[0] == 404
