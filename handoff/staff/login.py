"""Signing in and out: the login page (with its own CSRF cookie), the form post, and logout.

Wrong passwords are limited per account and per client address (handoff.limits); once
either is over, every attempt (a right password too) is answered 429 with the wait,
until the window has room again. A right password counts against nothing.
"""

from __future__ import annotations

import secrets

from aiohttp import web

from handoff.client_address import client_address
from handoff.edge import form_body
from handoff.errors import RateLimited
from handoff.keys import LIMITER
from handoff.pages import WEB_DIR, render
from handoff.staff.sessions import (
    LOGIN_CSRF_COOKIE,
    authenticate,
    cookie_options,
    current_user,
    end_session,
    home_of,
    require,
    start_session,
)

LOGIN_TEMPLATE = WEB_DIR / "console" / "login.html"
STAFF_ROLES = ("agent", "admin", "trainer", "lead")
TOO_MANY_ATTEMPTS = "Too many sign-in attempts. Please wait {wait} and try again."


async def login_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    user = await current_user(request)
    if user is not None:
        raise web.HTTPFound(home_of(user))
    token = secrets.token_urlsafe(24)
    response = render(LOGIN_TEMPLATE, {"csrf_token": token, "error": error, "brand_sub": "Agent console"})
    response.set_status(status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, **cookie_options(request))
    return response


async def login_submit(request: web.Request) -> web.Response:
    form = await form_body(request)
    sent, expected = form.get("csrf_token", ""), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    # As bytes: compare_digest raises TypeError on text that is not ASCII, and a form can send any.
    if not expected or not secrets.compare_digest(sent.encode(), expected.encode()):
        return await login_page(request, "Your session expired; please try again.")
    username = form.get("username", "")[:64]
    limiter, address = request.app[LIMITER], client_address(request)
    account = username.strip().casefold()
    try:
        await limiter.check(limiter.login_account, account, TOO_MANY_ATTEMPTS)
        await limiter.check(limiter.login_address, address, TOO_MANY_ATTEMPTS)
    except RateLimited as limited:
        response = await login_page(request, limited.message, status=429)
        response.headers["Retry-After"] = str(limited.retry_after)
        return response
    user = await authenticate(request, username, form.get("password", "")[:256])
    if user is None:
        await limiter.hit(limiter.login_account, account)
        await limiter.hit(limiter.login_address, address)
        return await login_page(request, "Wrong username or password.")
    response = web.HTTPFound(home_of(user))
    await start_session(request, response, user)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/")
    raise response


@require(*STAFF_ROLES)
async def logout(request: web.Request) -> web.Response:
    response = web.Response(status=204)
    await end_session(request, response)
    return response


def routes() -> list[web.AbstractRouteDef]:
    return [
        web.get("/console/login", login_page),
        web.post("/console/login", login_submit),
        web.post("/console/logout", logout),
    ]


__all__ = ["routes"]
