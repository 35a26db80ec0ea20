"""The desk: what waiting customers are told, in and out of business hours."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from crm_store import clock
from crm_store.db import unit_of_work
from crm_store.models import Conversation, Message, Ticket, User
from handoff.desk.escalation import load_policy
from handoff.desk.service import Desk, Presence
from handoff.desk.state_machine import HandoffStateMachine
from handoff.hub import Hub
from handoff.rasa_client import RasaClient
from handoff.router import ConversationRouter
from tests.clocks import sunday_night, weekday_morning

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def hours(days: str) -> str:
    return f"business_hours:\n  timezone: UTC\n  days: {{{days}}}\n"


ALWAYS_OPEN = hours(", ".join(f"{day}: '00:00-23:59'" for day in DAYS))


async def _desk(sessions, database_url: str, policy_text: str, tmp_path: Path, http: aiohttp.ClientSession) -> Desk:  # type: ignore[no-untyped-def]
    path = tmp_path / "escalation.yml"
    path.write_text(policy_text)
    policy = load_policy(path)
    hub = Hub()
    rasa = RasaClient(http, "http://127.0.0.1:9", "token")  # nothing listens there: the packet goes without Rasa's view
    router = ConversationRouter(sessions, rasa, hub)
    machine = HandoffStateMachine(sessions, hub, policy, skip_locked=database_url.startswith("postgresql"))
    return Desk(sessions, hub, router, machine, policy, rasa, Presence())


async def _notices(sessions, conversation_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        rows = (
            await session.execute(
                # In the order they were written: without ORDER BY, PostgreSQL returns an updated row last.
                Message.__table__.select().where(Message.conversation_id == conversation_id).order_by(Message.id)
            )
        ).all()
    return [row.text for row in rows if row.sender == "system"]


async def test_waiting_customers_hear_their_place_and_it_updates(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession() as http:
        desk = await _desk(sessions, database_url, ALWAYS_OPEN, tmp_path, http)
        async with unit_of_work(sessions) as session:
            session.add_all(
                [Conversation(id="first-customer", channel="web"), Conversation(id="second-customer", channel="web")]
            )
            session.add(User(username="kim", display_name="Kim", role="agent", password_hash="x"))
        first = await desk.escalate("first-customer", "asked_for_agent", tier=None)
        await desk.escalate("second-customer", "asked_for_agent", tier=None)
        assert "number 1 in line" in (await _notices(sessions, "first-customer"))[0]
        assert "number 2 in line" in (await _notices(sessions, "second-customer"))[0]
        assert "expected wait is about 8 minutes" in (await _notices(sessions, "second-customer"))[0]

        async with unit_of_work(sessions) as session:
            kim = (await session.execute(User.__table__.select())).first()
        agent = User(id=kim.id, username="kim", display_name="Kim", role="agent")
        await desk.machine.claim(first.id, agent)
        await desk.announce_positions()
        assert "now number 1 in line" in (await _notices(sessions, "second-customer"))[-1]


async def test_outside_business_hours_the_customer_is_told_when_we_reply(
    sessions, database_url, tmp_path, fixed_clock
) -> None:  # type: ignore[no-untyped-def]
    tomorrow = DAYS[(fixed_clock.now().weekday() + 1) % 7]
    async with aiohttp.ClientSession() as http:
        desk = await _desk(sessions, database_url, hours(f"{tomorrow}: '09:00-17:00'"), tmp_path, http)
        async with unit_of_work(sessions) as session:
            session.add(Conversation(id="night-owl", channel="web"))
        ticket = await desk.escalate("night-owl", "complaint", tier=None)
    notice = (await _notices(sessions, "night-owl"))[0]
    assert "offline right now" in notice and "at 09:00" in notice
    async with unit_of_work(sessions) as session:
        stored = await session.get(Ticket, ticket.id)
    assert stored.status == "queued", "the ticket waits for the morning"
    assert stored.context["reason"] == "complaint" and "summary" in stored.context


@pytest.mark.parametrize(
    ("moment", "told"),
    [
        (
            sunday_night,
            "offline right now. Your conversation is saved and a colleague will reply when we open on Monday at 08:00",
        ),
        (weekday_morning, "You're number 1 in line"),
    ],
    ids=["sunday-night", "weekday-morning"],
)
async def test_escalation_and_handoff_with_the_shipped_policy(sessions, database_url, moment, told) -> None:  # type: ignore[no-untyped-def]
    """The real escalation.yml, with the clock on a Sunday night and on a weekday morning where the agents are."""
    policy, start = load_policy(), moment()
    with clock.using(clock.FixedClock(start)) as fixed:
        async with aiohttp.ClientSession() as http:
            hub = Hub()
            rasa = RasaClient(http, "http://127.0.0.1:9", "token")
            router = ConversationRouter(sessions, rasa, hub)
            machine = HandoffStateMachine(sessions, hub, policy, skip_locked=database_url.startswith("postgresql"))
            desk = Desk(sessions, hub, router, machine, policy, rasa, Presence())
            async with unit_of_work(sessions) as session:
                session.add(Conversation(id="customer", channel="web"))
                kim = User(username="kim", display_name="Kim", role="agent", password_hash="x")
                session.add(kim)
            ticket = await desk.escalate("customer", "asked_for_agent", tier=None)
            assert told in (await _notices(sessions, "customer"))[0]
            assert ticket.sla_due_at == fixed.now() + timedelta(minutes=15), "the SLA runs from the escalation"

            fixed.advance(minutes=7)
            await machine.claim(ticket.id, kim)
            await desk.agent_message(ticket.id, kim, "Hi, Kim here. How can I help?")
            fixed.advance(minutes=3)
            await machine.hand_back(ticket.id, kim, "answered")
    async with unit_of_work(sessions) as session:
        stored = await session.get(Ticket, ticket.id)
        conversation = await session.get(Conversation, "customer")
    assert stored.status == "resolved" and conversation.state == "bot"
    assert stored.first_response_at == start + timedelta(minutes=7)
    assert stored.resolved_at == start + timedelta(minutes=10)
    assert "handed you back" in (await _notices(sessions, "customer"))[-1]


async def test_a_chinese_speaking_customer_is_told_everything_in_chinese(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession() as http:
        desk = await _desk(sessions, database_url, ALWAYS_OPEN, tmp_path, http)
        async with unit_of_work(sessions) as session:
            session.add(Conversation(id="li", channel="web", language="zh"))
            session.add(Conversation(id="ann", channel="web", language="en"))
            kim = User(username="kim", display_name="Kim", role="agent", password_hash="x")
            session.add(kim)
        ticket = await desk.escalate("li", "asked_for_agent", tier=None)
        await desk.escalate("ann", "asked_for_agent", tier=None)
        await desk.machine.claim(ticket.id, kim)
        await desk.machine.release(ticket.id, kim)
    li, ann = await _notices(sessions, "li"), await _notices(sessions, "ann")
    assert li[0] == "已为您转接人工客服。您目前排在第 1 位，预计等待约 4分钟。"
    assert li[1:] == ["客服Kim已加入对话。", "您已重新进入排队，下一位同事很快会为您服务。"]
    assert (
        ann[0]
        == "I've passed your conversation to our team. You're number 2 in line; the expected wait is about 8 minutes."
    )


async def test_outside_business_hours_a_chinese_speaking_customer_is_told_in_chinese(
    sessions, database_url, tmp_path, fixed_clock
) -> None:  # type: ignore[no-untyped-def]
    tomorrow = DAYS[(fixed_clock.now().weekday() + 1) % 7]
    async with aiohttp.ClientSession() as http:
        desk = await _desk(sessions, database_url, hours(f"{tomorrow}: '09:00-17:00'"), tmp_path, http)
        async with unit_of_work(sessions) as session:
            session.add(Conversation(id="night-owl-zh", channel="web", language="zh"))
        await desk.escalate("night-owl-zh", "complaint", tier=None)
    notice = (await _notices(sessions, "night-owl-zh"))[0]
    assert notice.startswith("我们的客服团队现在不在线。") and "09:00（UTC）" in notice and "星期" in notice
