"""Which web pages may open the gateway's websockets.

A browser sends the page's ``Origin`` with every websocket handshake and, unlike
fetch, applies no same-origin rule of its own: without this check any site a
signed-in agent visits could open the console's live socket with their cookie.
Allowed: the gateway's own origin, ``PUBLIC_URL``'s, and ``ALLOWED_ORIGINS`` (the
shops that embed the widget). A client that sends no Origin is not a browser page
and could send any Origin it liked, so it is let through.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from handoff.errors import Forbidden
from handoff.keys import SETTINGS


def origin_of(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}" if parts.scheme and parts.netloc else ""


def allowed_origins(request: web.Request) -> set[str]:
    settings = request.app[SETTINGS]
    own = f"{request.scheme}://{request.host}".lower()
    return {own, origin_of(settings.public_url), *(origin_of(origin) for origin in settings.allowed_origins)} - {""}


def refuse_foreign_origin(request: web.Request) -> None:
    """Forbidden (403) for a websocket handshake from a page that is not ours."""
    origin = request.headers.get("Origin")
    if origin is not None and origin.strip().lower().rstrip("/") not in allowed_origins(request):
        raise Forbidden(
            f"pages from {origin} may not open this connection (the operator can add it to ALLOWED_ORIGINS)"
        )


__all__ = ["allowed_origins", "origin_of", "refuse_foreign_origin"]
