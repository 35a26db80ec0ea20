"""Server-rendered pages: templates with escaped placeholders and the headers every page is sent with.

The pages carry no data of their own; their scripts fetch it from the JSON APIs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path

from aiohttp import web

from crm_store.models import User
from handoff.csp import BASE_POLICY
from handoff.staff.sessions import CURRENT_TOKEN, csrf_token_for

WEB_DIR = Path(__file__).resolve().parent / "web"
SHARED_WEB_DIR = WEB_DIR / "shared"  # the ES modules and base.css every page uses
PARTIALS_DIR = WEB_DIR / "partials"
PARTIAL = re.compile(r"\{\{> ([a-z-]+)\}\}")
PAGE_HEADERS = {
    "Content-Security-Policy": BASE_POLICY,  # pages with a websocket add their own origin: handoff.csp
    "Cache-Control": "no-store",
}


def _with_partials(text: str) -> str:
    """``{{> name}}`` becomes web/partials/name.html: the pieces several pages share (brand, signed-in user)."""
    return PARTIAL.sub(
        lambda match: (PARTIALS_DIR / f"{match.group(1)}.html").read_text(encoding="utf-8").strip(), text
    )


def render(template: Path, values: Mapping[str, str], headers: Mapping[str, str] = PAGE_HEADERS) -> web.Response:
    """A page template with its partials included and its {{placeholders}} filled in, HTML-escaped."""
    text = _with_partials(template.read_text(encoding="utf-8"))
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    return web.Response(text=text, content_type="text/html", headers=dict(headers))


def page_values(request: web.Request, user: User, brand_sub: str) -> dict[str, str]:
    """What every signed-in page shows: which console it is, the CSRF token for its writes, who is signed in."""
    return {
        "brand_sub": brand_sub,
        "csrf_token": csrf_token_for(request, request[CURRENT_TOKEN]),
        "user_display_name": user.display_name,
        "user_role": user.role,
    }


def routes() -> list[web.AbstractRouteDef]:
    return [web.static("/shared/static", SHARED_WEB_DIR)]


__all__ = ["PAGE_HEADERS", "WEB_DIR", "page_values", "render", "routes"]
