"""The console's ticket API: the queue, a ticket with its transcript, and what an agent does with it.

Thin: who may see a ticket is in handoff.desk.access, state changes in handoff.desk.state_machine.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from crm_store.db import unit_of_work
from crm_store.models import Customer, Ticket
from crm_store.models.base import utcnow
from crm_store.repositories import ConversationRepository, NoteRepository, TicketRepository, UserRepository
from handoff.console.customer_record import customer_record, iso
from handoff.desk import access
from handoff.desk.state_machine import AlreadyClaimed
from handoff.edge import id_number, json_object_body, path_number
from handoff.errors import InvalidMessage, NotFound
from handoff.keys import DESK, LEARNING, SESSIONS
from handoff.learning.exchange import real_question
from handoff.router import outbound
from handoff.schemas import MAX_TEXT
from handoff.staff.sessions import require, signed_in_user
from knowledge_base.language import DEFAULT_LANGUAGE

AGENT_ROLES = ("agent", "admin")
MAX_NOTE = 5000
HIDDEN_CONTEXT = ("transcript", "told_position")  # shown elsewhere on the page, or internal


def _text(body: dict[str, Any], field: str, max_length: int) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidMessage(f"{field} must be a non-empty text")
    if len(value) > max_length:
        raise InvalidMessage(f"{field} is {len(value)} characters; at most {max_length}")
    return value.strip()


async def _visible_ticket(request: web.Request, session: Any, user: Any) -> Ticket:
    return access.visible(await TicketRepository(session).get(path_number(request, "ticket_id")), user)


def ticket_summary(
    ticket: Ticket, customer: Customer | None, preview: str | None, agent_name: str | None, now: datetime
) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "status": ticket.status,
        "reason": ticket.reason,
        "priority": ticket.priority,
        "customer_name": customer.full_name if customer else None,
        "customer_tier": customer.tier if customer else None,
        "channel": (ticket.context or {}).get("channel") or "web",
        "preview": preview,
        "created_at": iso(ticket.created_at),
        "waiting_seconds": int((now - ticket.created_at).total_seconds()),
        "sla_due_at": iso(ticket.sla_due_at),
        "reserved_for": ticket.reserved_for,
        "agent": {"id": ticket.agent_id, "display_name": agent_name} if ticket.agent_id else None,
    }


async def _summaries(request: web.Request, tickets: list[Ticket]) -> list[dict[str, Any]]:
    names = await request.app[DESK].agent_names({t.agent_id for t in tickets if t.agent_id})
    now = utcnow()
    summaries = []
    async with unit_of_work(request.app[SESSIONS]) as session:
        conversations = ConversationRepository(session)
        for ticket in tickets:
            customer = await session.get(Customer, ticket.customer_id) if ticket.customer_id else None
            conversation = await conversations.get(ticket.conversation_id)
            messages = await conversations.messages(ticket.conversation_id)
            question = real_question(messages)  # not "can I talk to a person?": what they asked before it
            preview = question.text if question else None
            summary = ticket_summary(ticket, customer, preview, names.get(ticket.agent_id or 0), now)
            summary["channel"] = conversation.channel if conversation else "web"
            # What language the customer writes in: the agent answers in it (canned replies, KB suggestions).
            summary["language"] = (conversation.language if conversation else None) or DEFAULT_LANGUAGE
            summaries.append(summary)
    return summaries


async def _one_summary(request: web.Request, ticket: Ticket) -> dict[str, Any]:
    return (await _summaries(request, [ticket]))[0]


@require(*AGENT_ROLES)
async def queue(request: web.Request) -> web.Response:
    desk, user = request.app[DESK], await signed_in_user(request)
    # Waiting tickets kept for other agents (escalation.yml, segments.<name>.agents) are not this agent's to take.
    tickets = [
        ticket
        for ticket in await desk.queue()
        if ticket.status != "queued" or desk.policy.may_take(ticket.reserved_for, user)
    ]
    return web.json_response(
        {"tickets": await _summaries(request, tickets), "agents_online": len(await desk.presence.online())}
    )


@require(*AGENT_ROLES)
async def ticket_detail(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    async with unit_of_work(request.app[SESSIONS]) as session:
        ticket = await _visible_ticket(request, session, user)
        messages = await ConversationRepository(session).messages(ticket.conversation_id)
        agent_names = await UserRepository(session).display_names(
            m.sender_user_id for m in messages if m.sender_user_id
        )
        customer = await session.get(Customer, ticket.customer_id) if ticket.customer_id else None
        record = await customer_record(session, customer) if customer else None
    context = {key: value for key, value in (ticket.context or {}).items() if key not in HIDDEN_CONTEXT}
    return web.json_response(
        {
            "ticket": {**await _one_summary(request, ticket), "context": context, "resolution": ticket.resolution},
            "transcript": [dict(outbound(m, agent_names.get(m.sender_user_id or 0))) for m in messages],
            "customer": record,
        }
    )


@require(*AGENT_ROLES)
async def claim(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    ticket_id = path_number(request, "ticket_id")
    try:
        ticket = await request.app[DESK].machine.claim(ticket_id, user)
    except AlreadyClaimed:
        # Someone else's ticket looks like no ticket, as for every other action on it; an admin, who
        # sees every ticket, is told it was taken.
        async with unit_of_work(request.app[SESSIONS]) as session:
            access.visible(await session.get(Ticket, ticket_id), user)
        raise
    await request.app[DESK].announce_positions()
    return web.json_response({"ticket": await _one_summary(request, ticket)})


@require(*AGENT_ROLES)
async def release(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    ticket = await request.app[DESK].machine.release(path_number(request, "ticket_id"), user)
    return web.json_response({"ticket": await _one_summary(request, ticket)})


@require(*AGENT_ROLES)
async def transfer(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    target_id = id_number((await json_object_body(request)).get("agent_id"), "agent_id")
    async with unit_of_work(request.app[SESSIONS]) as session:
        target = await UserRepository(session).get(target_id)
    if target is None:
        raise NotFound("no such agent")
    ticket = await request.app[DESK].machine.transfer(path_number(request, "ticket_id"), user, target)
    return web.json_response({"ticket": await _one_summary(request, ticket)})


@require(*AGENT_ROLES)
async def resolve(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    body = await json_object_body(request)
    resolution = _text(body, "resolution", MAX_NOTE)
    lesson = body.get("learn") or {}
    if not isinstance(lesson, dict):
        raise InvalidMessage("learn must be an object with kind, question, answer and target")
    ticket = await request.app[DESK].hand_back(path_number(request, "ticket_id"), user, resolution)
    # What the bot should learn from this answer: scrubbed, then waiting for a trainer's review.
    candidate = await request.app[LEARNING].propose(ticket, user, lesson) if lesson else None
    return web.json_response(
        {"ticket": await _one_summary(request, ticket), "candidate_id": candidate.id if candidate else None}
    )


@require(*AGENT_ROLES)
async def send_message(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    text = _text(await json_object_body(request), "text", MAX_TEXT)
    async with unit_of_work(request.app[SESSIONS]) as session:
        await _visible_ticket(request, session, user)
    message = await request.app[DESK].agent_message(path_number(request, "ticket_id"), user, text)
    return web.json_response({"message": dict(message)})


@require(*AGENT_ROLES)
async def typing(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    on = (await json_object_body(request)).get("on")
    if not isinstance(on, bool):
        raise InvalidMessage("on must be true or false")
    async with unit_of_work(request.app[SESSIONS]) as session:
        ticket = await _visible_ticket(request, session, user)
    if ticket.status == "assigned" and ticket.agent_id == user.id:
        await request.app[DESK].agent_typing(ticket, user, on)
    return web.json_response({"ok": True})


@require(*AGENT_ROLES)
async def add_note(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    text = _text(await json_object_body(request), "text", MAX_NOTE)
    async with unit_of_work(request.app[SESSIONS]) as session:
        ticket = await _visible_ticket(request, session, user)
        note = await NoteRepository(session).add(
            ticket_id=ticket.id, customer_id=ticket.customer_id, author_id=user.id, text=text
        )
    return web.json_response(
        {"note": {"id": note.id, "author": user.display_name, "text": note.text, "at": iso(note.created_at)}}
    )


def routes() -> list[web.RouteDef]:
    ticket = r"/console/api/tickets/{ticket_id}"
    return [
        web.get("/console/api/queue", queue),
        web.get(ticket, ticket_detail),
        web.post(ticket + "/claim", claim),
        web.post(ticket + "/release", release),
        web.post(ticket + "/transfer", transfer),
        web.post(ticket + "/resolve", resolve),
        web.post(ticket + "/messages", send_message),
        web.post(ticket + "/typing", typing),
        web.post(ticket + "/notes", add_note),
    ]


__all__ = ["routes", "ticket_summary"]
