"""The demo shop page that hosts the widget, and the widget's own files (what a shop embeds)."""

from __future__ import annotations

from aiohttp import web

from handoff.pages import WEB_DIR

STATIC_DIR = WEB_DIR / "static"


async def shop_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "shop.html")


def routes() -> list[web.AbstractRouteDef]:
    return [web.get("/", shop_page), web.static("/static", STATIC_DIR)]


__all__ = ["STATIC_DIR", "routes"]
