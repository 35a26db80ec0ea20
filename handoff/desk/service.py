"""The help desk: turns the bot's signals into tickets, keeps waiting customers informed, and carries
agent messages and hand-backs. The state changes themselves happen in handoff.desk.state_machine.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import sessionmaker

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Customer, Message, Ticket, User
from crm_store.models.base import utcnow
from crm_store.repositories import ConversationRepository, TicketRepository, UserRepository
from handoff import notices
from handoff.cluster.presence import AgentPresence, LocalPresence
from handoff.desk import access
from handoff.desk.escalation import EscalationPolicy
from handoff.desk.state_machine import HANDOFF_TOPIC, HandoffStateMachine, TransitionRefused
from handoff.hub import Hub
from handoff.rasa_client import RasaClient
from handoff.router import ConversationRouter, outbound
from handoff.schemas import OutboundMessage

logger = logging.getLogger(__name__)
HIDDEN_SLOTS = {"requested_slot", "session_started_metadata", "proof_attempts", "ownership_proof"}
# Which agents have a console open, counted in this process: the single-process default.
Presence = LocalPresence


class Desk:
    def __init__(
        self,
        sessions: sessionmaker,
        hub: Hub,
        router: ConversationRouter,
        machine: HandoffStateMachine,
        policy: EscalationPolicy,
        rasa: RasaClient,
        presence: AgentPresence,
    ) -> None:
        self.sessions = sessions
        self.hub = hub
        self.router = router
        self.machine = machine
        self.policy = policy
        self.rasa = rasa
        self.presence = presence
        self._tasks: set[asyncio.Task[None]] = set()
        router.on_signals = self.on_signals
        router.on_message_for_people = self.on_message_for_people

    # From the bot ---------------------------------------------------------------------

    async def on_signals(self, conversation_id: str, signals: list[str]) -> None:
        async with unit_of_work(self.sessions) as session:
            conversation = await session.get(Conversation, conversation_id)
            customer = (
                await session.get(Customer, conversation.customer_id)
                if conversation and conversation.customer_id
                else None
            )
        if conversation is None or conversation.state != "bot":
            return
        tier = customer.tier if customer else None
        for signal in signals:
            reason = self.policy.should_escalate(signal, tier=tier, consecutive_failures=conversation.failed_turns or 0)
            if reason is not None:
                await self.escalate(conversation_id, reason, tier=tier)
                return
            if signal == "asked_for_agent":  # people are switched off by policy: say how else to reach them
                await self._system_message(conversation_id, "utter_gateway_contact")

    async def escalate(
        self, conversation_id: str, reason: str, *, tier: str | None, extra_context: dict[str, Any] | None = None
    ) -> Ticket:
        context = {**await self.context_packet(conversation_id, reason), **(extra_context or {})}
        now = utcnow()
        if self.policy.is_open(now):
            notice = None  # the queue position follows below, once the ticket exists
        else:
            async with unit_of_work(self.sessions) as session:
                conversation = await session.get(Conversation, conversation_id)
            language = notices.language_of(conversation)
            notice = notices.notice(
                conversation,
                "utter_gateway_offline",
                contact=notices.notice(conversation, "utter_gateway_contact"),
                **notices.opening(self.policy.next_opening(now), language),
            )
        ticket = await self.machine.escalate(conversation_id, reason, context, tier=tier, notice=notice)
        if notice is None:
            await self.announce_positions()
        return ticket

    async def context_packet(self, conversation_id: str, reason: str) -> dict[str, Any]:
        tracker = await self.rasa.tracker(conversation_id) or {}
        events = tracker.get("events") or []
        intents = [
            event["parse_data"]["intent"]["name"]
            for event in events
            if event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get("name")
        ][-5:]
        slots = {
            name: value
            for name, value in (tracker.get("slots") or {}).items()
            if value not in (None, [], {}, False, 0, 0.0) and name not in HIDDEN_SLOTS
        }
        async with unit_of_work(self.sessions) as session:
            messages = await ConversationRepository(session).messages(conversation_id)
            conversation = await session.get(Conversation, conversation_id)
            customer = (
                await session.get(Customer, conversation.customer_id)
                if conversation and conversation.customer_id
                else None
            )
        bot_tried = [message.text for message in messages if message.sender == "bot" and message.text][-5:]
        asked = next((m.text for m in reversed(messages) if m.sender == "customer" and m.text), "")
        who = f"{customer.full_name} ({customer.tier})" if customer else "Anonymous visitor"
        return {
            "reason": reason,
            "intents": intents,
            "slots": slots,
            "bot_tried": bot_tried,
            "summary": f"{who}; last asked: {asked[:200]}",
            "transcript": [
                {"sender": m.sender, "text": m.text, "at": m.created_at.isoformat()} for m in messages[-50:]
            ],
        }

    # Waiting customers --------------------------------------------------------------------

    async def queue(self) -> list[Ticket]:
        """Open tickets, most urgent first: priority plus waiting time."""
        async with unit_of_work(self.sessions) as session:
            tickets = await TicketRepository(session).open_tickets()
        now = utcnow()
        return sorted(tickets, key=lambda ticket: (-self.urgency(ticket, now), ticket.created_at, ticket.id))

    def urgency(self, ticket: Ticket, now: datetime) -> float:
        waited = (now - ticket.created_at).total_seconds() / 60
        return ticket.priority + self.policy.per_waiting_minute * waited

    async def announce_positions(self) -> None:
        """Tell each waiting customer their place and expected wait, when it changed since last told."""
        queued = [ticket for ticket in await self.queue() if ticket.status == "queued"]
        agents = len(await self.presence.online())
        for position, ticket in enumerate(queued, start=1):
            if (ticket.context or {}).get("told_position") == position:
                continue
            minutes = self.policy.expected_wait_minutes(position, agents)
            first = "told_position" not in (ticket.context or {})
            async with unit_of_work(self.sessions) as session:
                fresh = await session.get(Ticket, ticket.id)
                if fresh is None or fresh.status != "queued":
                    continue
                fresh.context = {**(fresh.context or {}), "told_position": position}
            await self._system_message(
                ticket.conversation_id,
                "utter_gateway_queue_position" if first else "utter_gateway_queue_update",
                position=position,
                minutes=minutes,
            )

    # From customers and agents ---------------------------------------------------------------

    async def on_message_for_people(self, conversation_id: str, message: OutboundMessage) -> None:
        async with unit_of_work(self.sessions) as session:
            ticket = await TicketRepository(session).open_for_conversation(conversation_id)
        if ticket is not None:
            self.hub.publish(HANDOFF_TOPIC, {"type": "message", "ticket_id": ticket.id, "message": dict(message)})

    async def customer_typing(self, conversation_id: str, on: bool) -> None:
        async with unit_of_work(self.sessions) as session:
            ticket = await TicketRepository(session).open_for_conversation(conversation_id)
        if ticket is not None and ticket.status == "assigned":
            self.hub.publish(HANDOFF_TOPIC, {"type": "typing", "ticket_id": ticket.id, "sender": "customer", "on": on})

    async def agent_typing(self, ticket: Ticket, agent: User, on: bool) -> None:
        self.hub.publish(
            ticket.conversation_id, {"type": "typing", "sender": "agent", "on": on, "name": agent.display_name}
        )

    async def agent_message(self, ticket_id: int, agent: User, text: str) -> OutboundMessage:
        async with unit_of_work(self.sessions) as session:
            ticket = access.visible(await session.get(Ticket, ticket_id), agent)
            if ticket.status != "assigned" or not access.can_work(ticket, agent):
                raise TransitionRefused(f"ticket {ticket_id} is not assigned to you: claim it first")
            conversation = await session.get(Conversation, ticket.conversation_id)
            assert conversation is not None
            message = await ConversationRepository(session).add_message(
                conversation, "agent", text, sender_user_id=agent.id
            )
            if ticket.first_response_at is None:
                ticket.first_response_at = message.created_at
        delivered = outbound(message, agent_name=agent.display_name)
        self.hub.publish(ticket.conversation_id, dict(delivered))
        self.hub.publish(HANDOFF_TOPIC, {"type": "message", "ticket_id": ticket_id, "message": dict(delivered)})
        return delivered

    async def hand_back(self, ticket_id: int, agent: User, resolution: str) -> Ticket:
        ticket = await self.machine.hand_back(ticket_id, agent, resolution)
        # The bot learns of the hand-back (and asks for a rating) in the conversation's own order.
        task = asyncio.create_task(self._resume_bot(ticket.conversation_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return ticket

    async def _resume_bot(self, conversation_id: str) -> None:
        try:
            await self.router.tell_bot(conversation_id, "/agent_handback")
        except Exception:
            logger.exception("conversation %s: the bot did not resume after the hand-back", conversation_id)

    async def _system_message(self, conversation_id: str, response: str, **values: Any) -> Message | None:
        """A notice in the conversation's language; ``minutes`` is written out in it ("5 minutes", "5分钟")."""
        async with unit_of_work(self.sessions) as session:
            conversations = ConversationRepository(session)
            conversation = await conversations.get(conversation_id)
            if conversation is None:
                return None
            if "minutes" in values:
                values["wait"] = notices.minutes(values.pop("minutes"), notices.language_of(conversation))
            text = notices.notice(conversation, response, **values)
            message = await conversations.add_message(conversation, "system", text)
        self.hub.publish(conversation_id, dict(outbound(message)))
        return message

    async def agent_names(self, agent_ids: set[int]) -> dict[int, str]:
        if not agent_ids:
            return {}
        async with unit_of_work(self.sessions) as session:
            return await UserRepository(session).display_names(agent_ids)
