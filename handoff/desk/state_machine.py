"""The conversation state machine: bot -> queued -> assigned -> bot (and closed).

Each transition is one function, one database transaction (ticket and
conversation change together) and one published event on the ``handoff``
topic, which the agent consoles follow. Customer-facing notices ("you're
number 2 in line", "Kim joined") are ordinary messages written in the same
transaction and delivered like any other message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import sessionmaker

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Message, Ticket, User
from crm_store.models.base import utcnow
from crm_store.repositories import (
    AuditRepository,
    ConversationRepository,
    FollowUpRepository,
    SegmentRepository,
    TicketRepository,
)
from handoff.desk import access
from handoff.desk.escalation import EscalationPolicy
from handoff.errors import Conflict, NotFound
from handoff.hub import Hub
from handoff.notices import language_of as notices_language
from handoff.notices import notice as notice_text
from handoff.router import outbound

HANDOFF_TOPIC = "handoff"


class TransitionRefused(Conflict):
    """The ticket is not in a state that allows this (claimed by someone else, already resolved, …)."""

    code = "transition_refused"


class AlreadyClaimed(TransitionRefused):
    code = "already_claimed"


class KeptForOthers(TransitionRefused):
    """escalation.yml keeps the ticket's customer segment for other agents."""

    code = "kept_for_other_agents"


@dataclass(frozen=True)
class Transition:
    ticket: Ticket
    notices: list[Message]


class HandoffStateMachine:
    def __init__(
        self,
        sessions: sessionmaker,
        hub: Hub,
        policy: EscalationPolicy,
        *,
        skip_locked: bool,
    ) -> None:
        self.sessions = sessions
        self.hub = hub
        self.policy = policy
        self.skip_locked = skip_locked

    def _publish(self, kind: str, transition: Transition) -> None:
        ticket = transition.ticket
        self.hub.publish(
            HANDOFF_TOPIC,
            {
                "type": "ticket",
                "event": kind,
                "ticket_id": ticket.id,
                "status": ticket.status,
                "agent_id": ticket.agent_id,
            },
        )
        for notice in transition.notices:
            self.hub.publish(ticket.conversation_id, dict(outbound(notice)))

    # bot -> queued --------------------------------------------------------------

    async def escalate(
        self,
        conversation_id: str,
        reason: str,
        context: dict[str, Any],
        *,
        tier: str | None = None,
        notice: str | None = None,
    ) -> Ticket:
        """Queue the conversation for a person; a conversation already waiting keeps its ticket."""
        now = utcnow()
        async with unit_of_work(self.sessions) as session:
            tickets = TicketRepository(session)
            conversation = await session.get(Conversation, conversation_id, with_for_update=self.skip_locked)
            if conversation is None:
                raise NotFound(f"conversation {conversation_id} does not exist")
            existing = await tickets.open_for_conversation(conversation_id)
            if existing is not None:
                return existing
            segments = await SegmentRepository(session).names_for(conversation.customer_id)
            ticket = await tickets.add(
                Ticket(
                    conversation_id=conversation_id,
                    customer_id=conversation.customer_id,
                    reason=reason,
                    priority=self.policy.priority(reason, tier, segments),
                    status="queued",
                    context=context,
                    created_at=now,
                    sla_due_at=self.policy.sla_due(reason, tier, now, segments),
                    reserved_for=self.policy.reserved_for(segments),
                )
            )
            conversation.state = "queued"
            conversation.failed_turns = 0
            notices = []
            if notice:
                notices.append(
                    await ConversationRepository(session).add_message(conversation, "system", notice, at=now)
                )
            await AuditRepository(session).record("bot", "ticket.escalated", "ticket", ticket.id, {"reason": reason})
        self._publish("escalated", Transition(ticket, notices))
        return ticket

    # queued -> assigned ------------------------------------------------------------

    async def claim(self, ticket_id: int, agent: User) -> Ticket:
        async with unit_of_work(self.sessions) as session:
            transition = await self._claim_in(session, ticket_id, agent)
        self._publish("claimed", transition)
        return transition.ticket

    async def claim_next(self, agent: User) -> Ticket | None:
        """The most urgent waiting ticket this agent may take, for 'take next'; None only when none waits.

        On PostgreSQL the candidate is locked (SKIP LOCKED) and claimed in one transaction, so concurrent
        agents each get a different ticket. Elsewhere two agents may pick the same candidate: the loser looks
        again, and each such retry means another agent took a ticket, so the loop ends.
        """
        while True:
            try:
                async with unit_of_work(self.sessions) as session:
                    candidate = await TicketRepository(session).next_queued_id(
                        skip_locked=self.skip_locked, closed_segments=self.policy.closed_segments(agent)
                    )
                    if candidate is None:
                        return None
                    transition = await self._claim_in(session, candidate, agent)
            except AlreadyClaimed:
                continue
            self._publish("claimed", transition)
            return transition.ticket

    async def _claim_in(self, session: Any, ticket_id: int, agent: User) -> Transition:
        tickets = TicketRepository(session)
        ticket = await tickets.get(ticket_id)
        if ticket is None:
            raise NotFound("no such ticket")
        if not self.policy.may_take(ticket.reserved_for, agent):
            raise KeptForOthers(f"ticket {ticket_id} is kept for the agents of the {ticket.reserved_for} segment")
        if not await tickets.claim(ticket_id, agent.id, utcnow()):
            raise AlreadyClaimed(f"ticket {ticket_id} is no longer waiting: someone else took it")
        await session.refresh(ticket)  # the conditional update went past the session
        notices = await self._set_state(
            session, ticket, "assigned", "utter_gateway_agent_joined", agent=agent.display_name
        )
        await AuditRepository(session).record(agent.username, "ticket.claimed", "ticket", ticket.id)
        return Transition(ticket, notices)

    # assigned -> queued / assigned -------------------------------------------------

    async def release(self, ticket_id: int, agent: User) -> Ticket:
        async with unit_of_work(self.sessions) as session:
            ticket = await self._owned(session, ticket_id, agent)
            changed = await TicketRepository(session).update_if(
                ticket_id, "assigned", ticket.agent_id, status="queued", agent_id=None, claimed_at=None
            )
            if not changed:
                raise TransitionRefused(f"ticket {ticket_id} changed meanwhile")
            await session.refresh(ticket)
            notices = await self._set_state(session, ticket, "queued", "utter_gateway_back_in_queue")
            await AuditRepository(session).record(agent.username, "ticket.released", "ticket", ticket.id)
        self._publish("released", Transition(ticket, notices))
        return ticket

    async def transfer(self, ticket_id: int, agent: User, to_agent: User) -> Ticket:
        if to_agent.role not in ("agent", "admin") or not to_agent.active:
            raise TransitionRefused(f"{to_agent.display_name} cannot take tickets")
        async with unit_of_work(self.sessions) as session:
            ticket = await self._owned(session, ticket_id, agent)
            if not self.policy.may_take(ticket.reserved_for, to_agent):
                raise KeptForOthers(
                    f"{to_agent.display_name} cannot take it: ticket {ticket_id} is kept for the agents "
                    f"of the {ticket.reserved_for} segment"
                )
            if not await TicketRepository(session).update_if(
                ticket_id, "assigned", ticket.agent_id, agent_id=to_agent.id
            ):
                raise TransitionRefused(f"ticket {ticket_id} changed meanwhile")
            await session.refresh(ticket)
            conversation = await session.get(Conversation, ticket.conversation_id)
            assert conversation is not None
            taking_over = notice_text(
                conversation, "utter_gateway_transfer", new_agent=to_agent.display_name, old_agent=agent.display_name
            )
            notice = await ConversationRepository(session).add_message(conversation, "system", taking_over, at=utcnow())
            await AuditRepository(session).record(
                agent.username, "ticket.transferred", "ticket", ticket.id, {"to": to_agent.username}
            )
        self._publish("transferred", Transition(ticket, [notice]))
        return ticket

    # assigned -> bot ------------------------------------------------------------------

    async def hand_back(self, ticket_id: int, agent: User, resolution: str) -> Ticket:
        now = utcnow()
        async with unit_of_work(self.sessions) as session:
            ticket = await self._owned(session, ticket_id, agent)
            changed = await TicketRepository(session).update_if(
                ticket_id, "assigned", ticket.agent_id, status="resolved", resolved_at=now, resolution=resolution
            )
            if not changed:
                raise TransitionRefused(f"ticket {ticket_id} changed meanwhile")
            await session.refresh(ticket)
            notices = await self._set_state(
                session, ticket, "bot", "utter_gateway_handed_back", agent=agent.display_name
            )
            await AuditRepository(session).record(
                agent.username, "ticket.resolved", "ticket", ticket.id, {"resolution": resolution}
            )
            follow_up = self.policy.follow_ups.get(ticket.reason)
            if follow_up is not None:  # in the resolving transaction: a resolved complaint is never left without one
                conversation = await session.get(Conversation, ticket.conversation_id)
                question = follow_up.text_in(notices_language(conversation))
                due = self.policy.in_opening_hours(now + follow_up.after)
                await FollowUpRepository(session).schedule(ticket, due, question, at=now)
        self._publish("resolved", Transition(ticket, notices))
        return ticket

    # helpers ----------------------------------------------------------------------------

    async def _owned(self, session: Any, ticket_id: int, agent: User) -> Ticket:
        ticket = access.workable(await session.get(Ticket, ticket_id), agent)
        if ticket.status != "assigned":
            raise TransitionRefused(f"ticket {ticket_id} is {ticket.status}, not assigned")
        return ticket

    async def _set_state(self, session: Any, ticket: Ticket, state: str, response: str, **values: Any) -> list[Message]:
        """Move the conversation to ``state`` and tell the customer (``response``, in their language)."""
        conversation = await session.get(Conversation, ticket.conversation_id)
        assert conversation is not None
        conversation.state = state
        notice = notice_text(conversation, response, **values)
        return [await ConversationRepository(session).add_message(conversation, "system", notice, at=utcnow())]
