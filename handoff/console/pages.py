"""The console's HTML pages: templates with escaped placeholders; the data comes from the JSON API."""

from __future__ import annotations

import html
import secrets
from collections.abc import Mapping
from pathlib import Path

from aiohttp import web

from handoff.staff.sessions import (
    CURRENT_TOKEN,
    LOGIN_CSRF_COOKIE,
    authenticate,
    cookie_options,
    csrf_token_for,
    current_user,
    end_session,
    home_of,
    require,
    start_session,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "console"
CONSOLE_ROLES = ("agent", "admin")
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


def render(template: Path, values: Mapping[str, str], headers: Mapping[str, str] = PAGE_HEADERS) -> web.Response:
    """A page template with its {{placeholders}} filled in, HTML-escaped."""
    text = template.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    return web.Response(text=text, content_type="text/html", headers=dict(headers))


async def login_page(request: web.Request, error: str = "") -> web.Response:
    user = await current_user(request)
    if user is not None:
        raise web.HTTPFound(home_of(user))
    token = secrets.token_urlsafe(24)
    response = render(TEMPLATES / "login.html", {"csrf_token": token, "error": error})
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, **cookie_options(request))
    return response


async def login_submit(request: web.Request) -> web.Response:
    form = await request.post()
    sent, expected = str(form.get("csrf_token", "")), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(sent, expected):
        return await login_page(request, "Your session expired; please try again.")
    user = await authenticate(request, str(form.get("username", ""))[:64], str(form.get("password", ""))[:256])
    if user is None:
        return await login_page(request, "Wrong username or password.")
    response = web.HTTPFound(home_of(user))
    await start_session(request, response, user)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/")
    raise response


@require("agent", "admin", "trainer")
async def logout(request: web.Request) -> web.Response:
    response = web.Response(status=204)
    await end_session(request, response)
    return response


def page_values(request: web.Request, user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "csrf_token": csrf_token_for(request, request[CURRENT_TOKEN]),
        "user_display_name": user.display_name,
        "user_role": user.role,
    }


@require(*CONSOLE_ROLES, page=True)
async def queue_page(request: web.Request) -> web.Response:
    return render(TEMPLATES / "queue.html", page_values(request, await current_user(request)))


@require(*CONSOLE_ROLES, page=True)
async def ticket_page(request: web.Request) -> web.Response:
    ticket_id = request.match_info["ticket_id"]
    return render(
        TEMPLATES / "ticket.html", {"ticket_id": ticket_id, **page_values(request, await current_user(request))}
    )


async def to_queue(request: web.Request) -> web.Response:
    raise web.HTTPFound("/console/")


def routes() -> list[web.AbstractRouteDef]:
    return [
        web.get("/console/login", login_page),
        web.post("/console/login", login_submit),
        web.post("/console/logout", logout),
        web.get("/console/", queue_page),
        web.get("/console", to_queue),
        web.get(r"/console/tickets/{ticket_id:\d+}", ticket_page),
        web.static("/console/static", TEMPLATES),
    ]
