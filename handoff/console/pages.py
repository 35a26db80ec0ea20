"""The agent console's HTML pages: the queue and a ticket; their data comes from the console's JSON API."""

from __future__ import annotations

from aiohttp import web

from handoff.csp import socket_page_headers
from handoff.pages import PAGE_HEADERS, WEB_DIR, page_values, render
from handoff.staff.sessions import require, signed_in_user

TEMPLATES = WEB_DIR / "console"
CONSOLE_ROLES = ("agent", "admin")
BRAND = "Agent console"


@require(*CONSOLE_ROLES, page=True)
async def queue_page(request: web.Request) -> web.Response:
    values = page_values(request, await signed_in_user(request), BRAND)
    return render(TEMPLATES / "queue.html", values, socket_page_headers(request, PAGE_HEADERS))


@require(*CONSOLE_ROLES, page=True)
async def ticket_page(request: web.Request) -> web.Response:
    ticket_id = request.match_info["ticket_id"]
    return render(
        TEMPLATES / "ticket.html",
        {"ticket_id": ticket_id, **page_values(request, await signed_in_user(request), BRAND)},
        socket_page_headers(request, PAGE_HEADERS),
    )


async def to_queue(request: web.Request) -> web.Response:
    raise web.HTTPFound("/console/")


def routes() -> list[web.AbstractRouteDef]:
    return [
        web.get("/console/", queue_page),
        web.get("/console", to_queue),
        web.get(r"/console/tickets/{ticket_id:\d+}", ticket_page),
        web.static("/console/static", TEMPLATES),
    ]


__all__ = ["routes"]
