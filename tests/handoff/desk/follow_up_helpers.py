"""Shared steps of the follow-up tests: a complaint escalated, claimed and resolved through the console API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web

from crm_store.db import unit_of_work
from crm_store.models import FollowUp
from handoff.channels.web.client import ChatClient
from handoff.desk.escalation import load_policy
from handoff.keys import DESK, FOLLOW_UPS
from tests.e2e.client import wait_for
from tests.handoff.gateway import Gateway
from tests.staff_client import Agent, next_frame

AFTER = load_policy().follow_ups["complaint"].after  # the shipped policy's delay
PAST_DUE = AFTER + timedelta(minutes=1)


async def resolve_complaint(gateway: Gateway, conversation_id: str, agent_name: str = "kim") -> int:
    """Escalate the conversation as a complaint, then claim and resolve it as ``agent_name``; the ticket's id."""
    app: web.Application = gateway.server.app
    ticket = await app[DESK].escalate(conversation_id, "complaint", tier=None)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        agent = Agent(http, gateway.base_url)
        assert (await agent.login(agent_name)).status == 302
        status, _ = await agent.post(f"/tickets/{ticket.id}/claim")
        assert status == 200
        status, _ = await agent.post(f"/tickets/{ticket.id}/resolve", {"resolution": "sent a replacement"})
        assert status == 200
    return int(ticket.id)


async def followed_up_customer(
    http: aiohttp.ClientSession, gateway: Gateway, sessions: Any, clock: Any, complaint: str
) -> tuple[ChatClient, dict[str, Any]]:
    """A web customer whose ``complaint`` was resolved and who has just been sent its follow-up question:
    the connected client and the question's frame."""
    customer = ChatClient(http, gateway.base_url)
    await customer.connect()
    await customer.say(complaint)
    await resolve_complaint(gateway, customer.session_id)
    clock.advance(seconds=PAST_DUE.total_seconds())
    await wake_until_sent(sessions, gateway)
    question = await next_frame(customer, lambda frame: frame.get("type") == "message" and bool(frame.get("buttons")))
    return customer, question


async def follow_ups(sessions: Any) -> list[FollowUp]:
    async with unit_of_work(sessions) as session:
        return list((await session.execute(FollowUp.__table__.select().order_by(FollowUp.id))).all())


async def wake_until_sent(sessions: Any, *gateways: Gateway) -> None:
    """Make every gateway's scheduler look now, and wait until no follow-up is still scheduled."""
    for gateway in gateways:
        gateway.server.app[FOLLOW_UPS].wake()

    async def none_scheduled() -> bool:
        return all(row.state != "scheduled" for row in await follow_ups(sessions))

    await wait_for(none_scheduled)


async def one_pass(gateway: Gateway) -> None:
    """Wake the gateway's scheduler and wait until it has looked once more."""
    scheduler = gateway.server.app[FOLLOW_UPS]
    before = scheduler.passes
    scheduler.wake()

    async def looked() -> bool:
        return scheduler.passes > before

    await wait_for(looked)
