"""The console's live channel: queue changes, customer messages and typing, pushed as they happen."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import WSMsgType, web

from crm_store.db import unit_of_work
from crm_store.models import User
from crm_store.repositories import TicketRepository
from handoff.desk import access
from handoff.desk.state_machine import HANDOFF_TOPIC
from handoff.hub import RESYNC
from handoff.keys import DESK, HUB, SESSIONS
from handoff.origins import refuse_foreign_origin
from handoff.staff.sessions import current_user


async def _may_see(request: web.Request, user: User, ticket_id: int) -> bool:
    async with unit_of_work(request.app[SESSIONS]) as session:
        ticket = await TicketRepository(session).get(ticket_id)
    return ticket is not None and access.can_see(ticket, user)


async def console_socket(request: web.Request) -> web.WebSocketResponse:
    refuse_foreign_origin(request)
    user = await current_user(request)
    if user is None or user.role not in ("agent", "admin"):
        raise web.HTTPUnauthorized(
            text=json.dumps({"error": "not_signed_in", "message": "sign in first"}), content_type="application/json"
        )
    socket = web.WebSocketResponse(heartbeat=25, max_msg_size=4096)
    await socket.prepare(request)
    desk = request.app[DESK]
    await desk.presence.connected(user.id)
    watched: dict[str, int | None] = {"ticket_id": None}
    async with request.app[HUB].subscribe(HANDOFF_TOPIC) as events:
        pusher = asyncio.create_task(_push(request, socket, user, events, watched))
        try:
            async for incoming in socket:
                if incoming.type != WSMsgType.TEXT:
                    continue
                with contextlib.suppress(ValueError, TypeError, AttributeError):
                    frame = json.loads(incoming.data)
                    if frame.get("type") == "subscribe":
                        ticket_id = frame.get("ticket_id")
                        valid = isinstance(ticket_id, int) and await _may_see(request, user, ticket_id)
                        watched["ticket_id"] = ticket_id if valid else None
        finally:
            pusher.cancel()
            await desk.presence.disconnected(user.id)
    return socket


async def _push(
    request: web.Request,
    socket: web.WebSocketResponse,
    user: User,
    events: asyncio.Queue[dict[str, Any]],
    watched: dict[str, int | None],
) -> None:
    while not socket.closed:
        event = await events.get()
        if event == RESYNC:
            # Changes on other replicas may have been missed: the page reloads the queue and its ticket.
            await socket.send_json({"type": "queue_changed"})
        elif event["type"] == "ticket":
            await socket.send_json({"type": "queue_changed"})
            if event["ticket_id"] == watched["ticket_id"]:
                await socket.send_json(
                    {
                        "type": "ticket",
                        "ticket": {
                            "id": event["ticket_id"],
                            "status": event["status"],
                            "agent": {"id": event["agent_id"]} if event["agent_id"] else None,
                        },
                    }
                )
        elif event.get("ticket_id") == watched["ticket_id"] and event["type"] in ("message", "typing"):
            await socket.send_json(event)


def routes() -> list[web.RouteDef]:
    return [web.get("/console/ws", console_socket)]
