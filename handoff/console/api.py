"""The console's JSON API. Thin: permissions and shapes here, state changes in handoff.desk.state_machine."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from sqlalchemy import select

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Customer, Note, Ticket, User
from crm_store.models.base import utcnow
from crm_store.repositories import ConversationRepository, OrderRepository, UserRepository
from handoff.errors import InvalidMessage, NotFound
from handoff.keys import DESK, KNOWLEDGE_BASE, SESSIONS
from handoff.router import outbound
from handoff.schemas import MAX_TEXT, json_object_body
from handoff.staff.sessions import require, signed_in_user
from handoff.trainer.api import LEARNING

AGENT_ROLES = ("agent", "admin")
CANNED_FILE = Path(__file__).resolve().parent.parent / "desk" / "canned_responses.yml"
MAX_NOTE = 5000


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _text(body: dict[str, Any], field: str, max_length: int) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidMessage(f"{field} must be a non-empty text")
    if len(value) > max_length:
        raise InvalidMessage(f"{field} is {len(value)} characters; at most {max_length}")
    return value.strip()


def _ticket_id(request: web.Request) -> int:
    raw = request.match_info["ticket_id"]
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound("no such ticket")
    return int(raw)


async def _visible_ticket(request: web.Request, session: Any, user: User) -> Ticket:
    """Queued tickets and your own are visible; anything else looks exactly like a ticket that does not exist."""
    ticket = await session.get(Ticket, _ticket_id(request))
    if ticket is None or not (user.role == "admin" or ticket.status == "queued" or ticket.agent_id == user.id):
        raise NotFound("no such ticket")
    return ticket


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
        "created_at": _iso(ticket.created_at),
        "waiting_seconds": int((now - ticket.created_at).total_seconds()),
        "sla_due_at": _iso(ticket.sla_due_at),
        "agent": {"id": ticket.agent_id, "display_name": agent_name} if ticket.agent_id else None,
    }


async def _summaries(request: web.Request, tickets: list[Ticket]) -> list[dict[str, Any]]:
    desk = request.app[DESK]
    names = await desk.agent_names({t.agent_id for t in tickets if t.agent_id})
    now = utcnow()
    summaries = []
    async with unit_of_work(request.app[SESSIONS]) as session:
        for ticket in tickets:
            customer = await session.get(Customer, ticket.customer_id) if ticket.customer_id else None
            conversation = await session.get(Conversation, ticket.conversation_id)
            messages = await ConversationRepository(session).messages(ticket.conversation_id)
            preview = next((m.text for m in reversed(messages) if m.sender == "customer" and m.text), None)
            summary = ticket_summary(ticket, customer, preview, names.get(ticket.agent_id or 0), now)
            summary["channel"] = conversation.channel if conversation else "web"
            summaries.append(summary)
    return summaries


@require(*AGENT_ROLES)
async def me(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    return web.json_response(
        {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role}
    )


@require(*AGENT_ROLES)
async def queue(request: web.Request) -> web.Response:
    desk = request.app[DESK]
    tickets = await desk.queue()
    return web.json_response(
        {"tickets": await _summaries(request, tickets), "agents_online": len(desk.presence.online())}
    )


@require(*AGENT_ROLES)
async def agents(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    online = request.app[DESK].presence.online()
    async with unit_of_work(request.app[SESSIONS]) as session:
        people = await UserRepository(session).with_roles(AGENT_ROLES)
    return web.json_response(
        {
            "agents": [
                {"id": p.id, "display_name": p.display_name, "online": p.id in online}
                for p in people
                if p.id != user.id
            ]
        }
    )


@require(*AGENT_ROLES)
async def ticket_detail(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    async with unit_of_work(request.app[SESSIONS]) as session:
        ticket = await _visible_ticket(request, session, user)
        messages = await ConversationRepository(session).messages(ticket.conversation_id)
        agent_names = {
            u.id: u.display_name
            for u in (
                await session.execute(
                    select(User).where(User.id.in_({m.sender_user_id for m in messages if m.sender_user_id}))
                )
            ).scalars()
        }
        customer = await session.get(Customer, ticket.customer_id) if ticket.customer_id else None
        customer_record = await _customer_record(session, customer) if customer else None
    summary = (await _summaries(request, [ticket]))[0]
    context = {
        key: value for key, value in (ticket.context or {}).items() if key not in ("transcript", "told_position")
    }
    return web.json_response(
        {
            "ticket": {**summary, "context": context, "resolution": ticket.resolution},
            "transcript": [dict(outbound(m, agent_names.get(m.sender_user_id or 0))) for m in messages],
            "customer": customer_record,
        }
    )


async def _customer_record(session: Any, customer: Customer) -> dict[str, Any]:
    orders = await OrderRepository(session).recent_for_customer(customer.id, limit=10)
    conversations = await ConversationRepository(session).for_customer(customer.id, limit=10)
    notes = (
        await session.execute(
            select(Note, User.display_name)
            .outerjoin(User, User.id == Note.author_id)
            .where(Note.customer_id == customer.id)
            .order_by(Note.created_at.desc())
            .limit(20)
        )
    ).all()
    address = ", ".join(
        part
        for part in (customer.address_line1, customer.city, customer.region, customer.postal_code, customer.country)
        if part
    )
    return {
        "id": customer.id,
        "name": customer.full_name,
        "email": customer.email,
        "phone": customer.phone,
        "tier": customer.tier,
        "address": address,
        "tags": list(customer.tags or []),
        "orders": [
            {
                "number": order.number,
                "status": order.status,
                "placed_at": _iso(order.placed_at),
                "total": f"${order.total_cents / 100:,.2f}",
                "carrier": order.carrier,
                "tracking_number": order.tracking_number,
                "promised_date": order.promised_date.isoformat() if order.promised_date else None,
            }
            for order in orders
        ],
        "conversations": [
            {"id": c.id, "channel": c.channel, "started_at": _iso(c.started_at), "csat": c.csat} for c in conversations
        ],
        "notes": [
            {"id": note.id, "author": author or "someone", "text": note.text, "at": _iso(note.created_at)}
            for note, author in notes
        ],
    }


@require(*AGENT_ROLES)
async def claim(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    ticket = await request.app[DESK].machine.claim(_ticket_id(request), user)
    await request.app[DESK].announce_positions()
    return web.json_response({"ticket": (await _summaries(request, [ticket]))[0]})


@require(*AGENT_ROLES)
async def release(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    ticket = await request.app[DESK].machine.release(_ticket_id(request), user)
    return web.json_response({"ticket": (await _summaries(request, [ticket]))[0]})


@require(*AGENT_ROLES)
async def transfer(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    body = await json_object_body(request)
    target_id = body.get("agent_id")
    if not isinstance(target_id, int) or isinstance(target_id, bool):
        raise InvalidMessage("agent_id must be a number")
    async with unit_of_work(request.app[SESSIONS]) as session:
        target = await UserRepository(session).get(target_id)
    if target is None:
        raise NotFound("no such agent")
    ticket = await request.app[DESK].machine.transfer(_ticket_id(request), user, target)
    return web.json_response({"ticket": (await _summaries(request, [ticket]))[0]})


@require(*AGENT_ROLES)
async def resolve(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    body = await json_object_body(request)
    resolution = _text(body, "resolution", MAX_NOTE)
    lesson = body.get("learn") or {}
    if not isinstance(lesson, dict):
        raise InvalidMessage("learn must be an object with kind, question, answer and target")
    ticket = await request.app[DESK].hand_back(_ticket_id(request), user, resolution)
    # What the bot should learn from this answer: scrubbed, then waiting for a trainer's review.
    candidate = await request.app[LEARNING].propose(ticket, user, lesson) if lesson else None
    return web.json_response(
        {"ticket": (await _summaries(request, [ticket]))[0], "candidate_id": candidate.id if candidate else None}
    )


@require(*AGENT_ROLES)
async def send_message(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    text = _text(await json_object_body(request), "text", MAX_TEXT)
    async with unit_of_work(request.app[SESSIONS]) as session:
        await _visible_ticket(request, session, user)
    message = await request.app[DESK].agent_message(_ticket_id(request), user, text)
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
        note = Note(
            ticket_id=ticket.id, customer_id=ticket.customer_id, author_id=user.id, text=text, created_at=utcnow()
        )
        session.add(note)
        await session.flush()
    return web.json_response(
        {"note": {"id": note.id, "author": user.display_name, "text": note.text, "at": _iso(note.created_at)}}
    )


@require(*AGENT_ROLES)
async def kb_suggest(request: web.Request) -> web.Response:
    question = request.query.get("q", "")[:MAX_TEXT]
    hits = await request.app[KNOWLEDGE_BASE].search(question, limit=4) if question.strip() else []
    return web.json_response(
        {"hits": [{"slug": h.slug, "title": h.title, "answer": h.answer, "score": h.score} for h in hits]}
    )


@require(*AGENT_ROLES)
async def canned(request: web.Request) -> web.Response:
    responses = yaml.safe_load(CANNED_FILE.read_text(encoding="utf-8")) or []
    return web.json_response({"responses": responses})


def routes() -> list[web.RouteDef]:
    ticket = r"/console/api/tickets/{ticket_id}"
    return [
        web.get("/console/api/me", me),
        web.get("/console/api/queue", queue),
        web.get("/console/api/agents", agents),
        web.get(ticket, ticket_detail),
        web.post(ticket + "/claim", claim),
        web.post(ticket + "/release", release),
        web.post(ticket + "/transfer", transfer),
        web.post(ticket + "/resolve", resolve),
        web.post(ticket + "/messages", send_message),
        web.post(ticket + "/typing", typing),
        web.post(ticket + "/notes", add_note),
        web.get("/console/api/kb/suggest", kb_suggest),
        web.get("/console/api/canned", canned),
    ]


__all__ = ["routes", "ticket_summary"]
