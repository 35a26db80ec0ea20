"""The console's list of follow-up visits: what is due, sent, answered and reopened.

- ``GET /console/api/follow-ups?state=<state>``: counts by state and the follow-ups (newest due first),
  all states unless ``state`` names one. A follow-up still ``scheduled`` whose time has come is
  flagged ``overdue`` (every gateway sends it within a scheduler pass; a flag that stays means none runs).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Customer, FollowUp
from crm_store.models.base import utcnow
from crm_store.models.follow_up import FOLLOW_UP_STATES
from crm_store.repositories import FollowUpRepository
from handoff.console.customer_record import iso
from handoff.errors import InvalidMessage
from handoff.keys import SESSIONS
from handoff.staff.sessions import require

AGENT_ROLES = ("agent", "admin")
LIMIT = 200


def _states(request: web.Request) -> tuple[str, ...]:
    wanted = request.query.get("state", "")
    if not wanted:
        return FOLLOW_UP_STATES
    if wanted not in FOLLOW_UP_STATES:
        raise InvalidMessage(f"state must be one of {', '.join(FOLLOW_UP_STATES)}, got {wanted[:40]!r}")
    return (wanted,)


def _row(follow_up: FollowUp, conversation: Conversation | None, customer: Customer | None) -> dict[str, Any]:
    return {
        "id": follow_up.id,
        "state": follow_up.state,
        "overdue": follow_up.state == "scheduled" and follow_up.due_at <= utcnow(),
        "ticket_id": follow_up.ticket_id,
        "reopened_ticket_id": follow_up.reopened_ticket_id,
        "conversation_id": follow_up.conversation_id,
        "channel": conversation.channel if conversation else None,
        "customer_name": customer.full_name if customer else None,
        "question": follow_up.text,
        "due_at": iso(follow_up.due_at),
        "sent_at": iso(follow_up.sent_at),
        "answered_at": iso(follow_up.answered_at),
        "rating": follow_up.rating,
    }


@require(*AGENT_ROLES)
async def follow_ups(request: web.Request) -> web.Response:
    states = _states(request)
    async with unit_of_work(request.app[SESSIONS]) as session:
        repository = FollowUpRepository(session)
        counts = await repository.counts()
        rows = []
        for follow_up in await repository.listing(states, LIMIT):
            conversation = await session.get(Conversation, follow_up.conversation_id)
            customer = (
                await session.get(Customer, conversation.customer_id)
                if conversation and conversation.customer_id
                else None
            )
            rows.append(_row(follow_up, conversation, customer))
    return web.json_response(
        {"counts": {state: counts.get(state, 0) for state in FOLLOW_UP_STATES}, "follow_ups": rows}
    )


def routes() -> list[web.RouteDef]:
    return [web.get("/console/api/follow-ups", follow_ups)]


__all__ = ["routes"]
