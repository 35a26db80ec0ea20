"""FollowUpVisits without a gateway: what happens when a person has the conversation again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from crm_store import clock
from crm_store.db import unit_of_work
from crm_store.models import Conversation, FollowUp, Message, Ticket, User
from handoff.desk.escalation import load_policy
from handoff.desk.follow_ups import FollowUpVisits, question_buttons
from handoff.desk.service import Desk, Presence
from handoff.desk.state_machine import HandoffStateMachine
from handoff.hub import Hub
from handoff.rasa_client import RasaClient
from handoff.router import ConversationRouter
from handoff.schemas import CustomerMessage
from tests.clocks import next_local

EVERY_DAY = ", ".join(f"{day}: '00:00-23:59'" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
ALWAYS_OPEN = f"business_hours:\n  timezone: UTC\n  days: {{{EVERY_DAY}}}\n"
RULE = "follow_ups:\n  complaint: {after_days: 2, text: 'All good now?'}\n"


async def _visits(sessions, database_url: str, tmp_path: Path, http: aiohttp.ClientSession) -> FollowUpVisits:  # type: ignore[no-untyped-def]
    path = tmp_path / "escalation.yml"
    path.write_text(ALWAYS_OPEN + RULE)
    policy = load_policy(path)
    hub = Hub()
    rasa = RasaClient(http, "http://127.0.0.1:9", "token")  # nothing listens: no bot turn is needed here
    router = ConversationRouter(sessions, rasa, hub)
    machine = HandoffStateMachine(sessions, hub, policy, skip_locked=database_url.startswith("postgresql"))
    return FollowUpVisits(sessions, hub, Desk(sessions, hub, router, machine, policy, rasa, Presence()))


async def _resolved_complaint(visits: FollowUpVisits, sessions, conversation_id: str) -> User:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        session.add(Conversation(id=conversation_id, channel="web"))
        kim = User(username=f"kim-{conversation_id}", display_name="Kim", role="agent", password_hash="x")
        session.add(kim)
    ticket = await visits.desk.escalate(conversation_id, "complaint", tier=None)
    await visits.desk.machine.claim(ticket.id, kim)
    await visits.desk.machine.hand_back(ticket.id, kim, "refunded")
    return kim


async def _state(sessions) -> str:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        return str((await session.execute(FollowUp.__table__.select())).one().state)


async def test_a_follow_up_due_while_a_person_has_the_conversation_is_cancelled(
    sessions, database_url, tmp_path, fixed_clock
) -> None:  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession() as http:
        visits = await _visits(sessions, database_url, tmp_path, http)
        await _resolved_complaint(visits, sessions, "came-back")
        fixed_clock.advance(days=1)
        await visits.desk.escalate("came-back", "asked_for_agent", tier=None)  # back before the follow-up's day
        fixed_clock.advance(days=1, minutes=1)
        assert await visits.send_due() == 0
    assert await _state(sessions) == "cancelled"
    async with unit_of_work(sessions) as session:
        asked = (await session.execute(Message.__table__.select().where(Message.text == "All good now?"))).all()
    assert asked == [], "nobody is asked 'all good now?' while talking to a person"


async def test_a_no_while_a_person_has_the_conversation_opens_no_second_ticket(
    sessions, database_url, tmp_path, fixed_clock
) -> None:  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession() as http:
        visits = await _visits(sessions, database_url, tmp_path, http)
        await _resolved_complaint(visits, sessions, "answered-late")
        fixed_clock.advance(days=2, minutes=1)
        assert await visits.send_due() == 1
        assert await visits.send_due() == 0, "sent once"
        await visits.desk.escalate("answered-late", "asked_for_agent", tier=None)  # then asked for a person
        async with unit_of_work(sessions) as session:
            follow_up_id = (await session.execute(FollowUp.__table__.select())).one().id
        no = question_buttons(follow_up_id)[1]
        # Through the router, as a widget's or Telegram's button press arrives.
        await visits.desk.router.receive("answered-late", CustomerMessage("press-no-1", no["title"], no["payload"]))
    assert await _state(sessions) == "answered_no"
    async with unit_of_work(sessions) as session:
        tickets = (await session.execute(Ticket.__table__.select().where(Ticket.status == "queued"))).all()
        said = [row.text for row in (await session.execute(Message.__table__.select().order_by(Message.id))).all()]
    assert [ticket.reason for ticket in tickets] == ["asked_for_agent"], "the open ticket carries on, alone"
    assert "A colleague already has your conversation" in said[-1]


WEEKDAYS_9_TO_5 = "business_hours:\n  timezone: UTC\n  days: {mon: '09:00-17:00', tue: '09:00-17:00', wed: '09:00-17:00', thu: '09:00-17:00', fri: '09:00-17:00'}\n"


@pytest.mark.parametrize(
    ("resolved", "due"),
    [
        ((0, 10), (3, 10)),  # Monday 10:00 + 3 days: Thursday 10:00, the team is in
        ((3, 16), (7, 9)),  # Thursday 16:00 + 3 days is a Sunday: the next Monday at 09:00
        ((2, 10), (7, 9)),  # Wednesday 10:00 + 3 days is a Saturday: Monday 09:00
        ((1, 18), (7, 9)),  # Tuesday 18:00 + 3 days is Friday 18:00, after hours: Monday 09:00
    ],
    ids=["in-hours", "sunday", "saturday", "evening"],
)
async def test_a_follow_up_falls_due_when_the_team_is_in(sessions, database_url, tmp_path, resolved, due) -> None:  # type: ignore[no-untyped-def]
    """(weekday, hour) the complaint is resolved, and (days after that week's Monday, hour) its follow-up is due."""
    start = next_local(resolved[0], resolved[1], zone=ZoneInfo("UTC"))
    monday = start.replace(hour=0) - timedelta(days=resolved[0])
    expected = monday + timedelta(days=due[0], hours=due[1])
    with clock.using(clock.FixedClock(start)):
        async with aiohttp.ClientSession() as http:
            path = tmp_path / "escalation.yml"
            path.write_text(WEEKDAYS_9_TO_5 + "follow_ups:\n  complaint: {after_days: 3, text: 'All good now?'}\n")
            policy = load_policy(path)
            hub, rasa = Hub(), RasaClient(http, "http://127.0.0.1:9", "token")
            machine = HandoffStateMachine(sessions, hub, policy, skip_locked=database_url.startswith("postgresql"))
            desk = Desk(sessions, hub, ConversationRouter(sessions, rasa, hub), machine, policy, rasa, Presence())
            visits = FollowUpVisits(sessions, hub, desk)
            await _resolved_complaint(visits, sessions, "in-hours")
    async with unit_of_work(sessions) as session:
        scheduled = (await session.execute(FollowUp.__table__.select())).one()
    assert scheduled.due_at == expected
