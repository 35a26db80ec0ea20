"""The agent console: server-rendered pages, a JSON API and a live websocket, all under /console."""

from __future__ import annotations

from aiohttp import web


def routes() -> list[web.AbstractRouteDef]:
    from handoff.console import assist, follow_ups, lesson, live, pages, tickets

    return [
        *pages.routes(),
        *tickets.routes(),
        *assist.routes(),
        *lesson.routes(),
        *live.routes(),
        *follow_ups.routes(),
    ]
