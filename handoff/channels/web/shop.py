"""The demo shop page that hosts the widget, and the widget's own files (what a shop embeds)."""

from __future__ import annotations

from aiohttp import web

from handoff.csp import socket_page_headers
from handoff.pages import PAGE_HEADERS, WEB_DIR

STATIC_DIR = WEB_DIR / "static"


async def shop_page(request: web.Request) -> web.FileResponse:
    # The page hosts the widget, so its policy allows this gateway's websocket and nothing else.
    return web.FileResponse(STATIC_DIR / "shop.html", headers=socket_page_headers(request, PAGE_HEADERS))


def routes() -> list[web.AbstractRouteDef]:
    return [web.get("/", shop_page), web.static("/static", STATIC_DIR)]


__all__ = ["STATIC_DIR", "routes"]
