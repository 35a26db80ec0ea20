"""``segments:`` rules in escalation.yml: a customer's stored segments raise a ticket's priority and shorten its SLA."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_store import clock
from crm_store.db import unit_of_work
from crm_store.models import Conversation, User
from crm_store.repositories import SegmentRepository
from handoff.desk.escalation import PolicyError, parse_policy
from handoff.desk.state_machine import HandoffStateMachine, KeptForOthers
from handoff.hub import Hub
from tests.factories import make_customer, make_order

POLICY = """
priorities: {complaint: 30, asked_for_agent: 0}
sla_minutes: {default: 15, complaint: 10}
segments:
  at_risk: {priority: 35, sla_minutes: 7}
  new: {sla_minutes: 12}
"""


def test_the_highest_priority_and_shortest_sla_win() -> None:
    policy = parse_policy(POLICY)
    created = clock.now()
    assert policy.priority("asked_for_agent", "standard", ("at_risk",)) == 35
    assert policy.priority("complaint", "standard", ("new",)) == 30, "a segment without a priority changes nothing"
    assert policy.priority("asked_for_agent", "standard") == 0
    assert policy.sla_due("asked_for_agent", None, created, ("new", "at_risk")) == created + timedelta(minutes=7)
    assert policy.sla_due("complaint", None, created, ("new",)) == created + timedelta(minutes=10), "never longer"


@pytest.mark.parametrize(
    ("section", "named"),
    [
        ("segments: {big_spender: {priority: 3}}", "segments.big_spender is not a segment"),
        ("segments: {at_risk: {priority: -1}}", "segments.at_risk.priority must be a whole number >= 0"),
        ("segments: {at_risk: {sla_minutes: 0}}", "segments.at_risk.sla_minutes must be a whole number >= 1"),
        ("segments: {at_risk: {who: agents}}", "segments.at_risk must set priority, sla_minutes and/or agents"),
        ("segments: {at_risk: {agents: maria}}", "segments.at_risk.agents must be a list of agents' usernames"),
        ("segments: {at_risk: {agents: []}}", "segments.at_risk.agents must be a list of agents' usernames"),
        ("segments: {at_risk: {agents: [maria, 3]}}", "segments.at_risk.agents must be a list of agents' usernames"),
        ("segments: [at_risk]", "segments must be a mapping"),
    ],
)
def test_a_bad_rule_names_its_field(section: str, named: str) -> None:
    with pytest.raises(PolicyError, match=named.replace(".", r"\.")):
        parse_policy(section, "escalation.yml")


async def test_a_rule_on_a_segment_changes_the_tickets_priority_and_sla(sessions, database_url, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    now = clock.now()
    async with unit_of_work(sessions) as session:
        lapsing = make_customer()  # two orders, the last 45 days ago: at_risk
        make_order(lapsing, "R-1", placed_at=now - timedelta(days=45))
        make_order(lapsing, "R-2", placed_at=now - timedelta(days=80))
        steady = make_customer()  # ordered last week: in no segment with a rule
        make_order(steady, "S-1", placed_at=now - timedelta(days=7))
        session.add_all([lapsing, steady])
        await session.flush()
        session.add_all(
            [
                Conversation(id="conv-lapsing", channel="web", customer_id=lapsing.id),
                Conversation(id="conv-steady", channel="web", customer_id=steady.id),
            ]
        )
        await SegmentRepository(session).recompute(now)
    machine = HandoffStateMachine(
        sessions, Hub(), parse_policy(POLICY), skip_locked=database_url.startswith("postgresql")
    )
    at_risk = await machine.escalate("conv-lapsing", "asked_for_agent", {}, tier="standard")
    plain = await machine.escalate("conv-steady", "asked_for_agent", {}, tier="standard")
    assert (at_risk.priority, at_risk.sla_due_at - at_risk.created_at) == (35, timedelta(minutes=7))
    assert (plain.priority, plain.sla_due_at - plain.created_at) == (0, timedelta(minutes=15))


KEEPING = """
segments:
  at_risk: {priority: 35, agents: [Maria, li]}
"""


async def test_a_segment_kept_for_some_agents_is_taken_by_them_or_an_admin_only(  # type: ignore[no-untyped-def]
    sessions, database_url, fixed_clock
) -> None:
    now = clock.now()
    async with unit_of_work(sessions) as session:
        lapsing = make_customer()  # two orders, the last 45 days ago: at_risk
        make_order(lapsing, "K-1", placed_at=now - timedelta(days=45))
        make_order(lapsing, "K-2", placed_at=now - timedelta(days=80))
        steady = make_customer()
        make_order(steady, "K-3", placed_at=now - timedelta(days=7))
        session.add_all([lapsing, steady])
        people = {
            name: User(username=name, display_name=name.title(), role=role, password_hash="x")
            for name, role in (("maria", "agent"), ("olek", "agent"), ("root", "admin"))
        }
        session.add_all(people.values())
        await session.flush()
        session.add_all(
            Conversation(id=f"conv-{n}", channel="web", customer_id=customer.id)
            for n, customer in enumerate((lapsing, lapsing, steady))
        )
        await SegmentRepository(session).recompute(now)
    machine = HandoffStateMachine(
        sessions, Hub(), parse_policy(KEEPING), skip_locked=database_url.startswith("postgresql")
    )
    kept = await machine.escalate("conv-0", "asked_for_agent", {})
    plain = await machine.escalate("conv-2", "asked_for_agent", {})
    assert (kept.reserved_for, plain.reserved_for) == ("at_risk", None)

    with pytest.raises(KeptForOthers, match="kept for the agents of the at_risk segment"):
        await machine.claim(kept.id, people["olek"])
    taken_next = await machine.claim_next(people["olek"])
    assert taken_next is not None and taken_next.id == plain.id, "take-next passes over the kept ticket"
    assert await machine.claim_next(people["olek"]) is None, "nothing else waits that olek may take"

    mine = await machine.claim(kept.id, people["maria"])  # listed as "Maria": usernames match in any case
    assert (mine.status, mine.agent_id) == ("assigned", people["maria"].id)
    with pytest.raises(KeptForOthers, match="Olek cannot take it"):
        await machine.transfer(kept.id, people["maria"], people["olek"])

    second = await machine.escalate("conv-1", "asked_for_agent", {})
    assert (await machine.claim(second.id, people["root"])).agent_id == people["root"].id, "an admin always may"
