"""Console logins: hashed passwords, a server-side session behind an HttpOnly cookie, CSRF on every write.

A session ends after ``STAFF_IDLE_TIMEOUT_MINUTES`` without a request (each request moves
its expiry on) and in any case ``SESSION_LIFETIME`` after sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from aiohttp import web

from crm_store.db import unit_of_work
from crm_store.models import User
from crm_store.models.base import utcnow
from crm_store.repositories import StaffSessionRepository, UserRepository
from handoff.errors import CsrfFailed, Forbidden, NotSignedIn
from handoff.keys import SESSIONS, SETTINGS
from handoff.staff.passwords import verify_password

SESSION_COOKIE = "deskbot_session"
LOGIN_CSRF_COOKIE = "deskbot_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
SESSION_LIFETIME = timedelta(hours=12)  # the longest a sign-in lasts, however busy
CURRENT_USER = "deskbot.user"
CURRENT_TOKEN = "deskbot.session_token"  # noqa: S105 (a request key, not a secret)
# A hash to compare against when the user does not exist, so timing does not reveal valid names.
_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_for(request: web.Request, session_token: str) -> str:
    """Derived from the session, so it needs no storage and dies with the session."""
    secret = request.app[SETTINGS].widget_secret.encode()
    return hmac.new(secret, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def cookie_options(request: web.Request) -> dict[str, Any]:
    secure = request.secure or request.app[SETTINGS].public_url.startswith("https://")
    return {"httponly": True, "samesite": "Strict", "secure": secure, "path": "/"}


async def authenticate(request: web.Request, username: str, password: str) -> User | None:
    async with unit_of_work(request.app[SESSIONS]) as session:
        user = await UserRepository(session).by_username(username)
        if user is None or not user.active:
            verify_password(password, _DUMMY_HASH)
            return None
        if not verify_password(password, user.password_hash):
            return None
        user.last_login_at = utcnow()
        return user


def _idle_timeout(request: web.Request) -> timedelta:
    return timedelta(minutes=request.app[SETTINGS].staff_idle_timeout_minutes)


async def start_session(request: web.Request, response: web.StreamResponse, user: User) -> None:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + min(_idle_timeout(request), SESSION_LIFETIME)
    async with unit_of_work(request.app[SESSIONS]) as session:
        await StaffSessionRepository(session).start(_hash(token), user.id, expires_at)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), **cookie_options(request))


async def end_session(request: web.Request, response: web.StreamResponse) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        async with unit_of_work(request.app[SESSIONS]) as session:
            await StaffSessionRepository(session).revoke(_hash(token), utcnow())
    response.del_cookie(SESSION_COOKIE, path="/")


async def current_user(request: web.Request) -> User | None:
    if CURRENT_USER in request:
        return request[CURRENT_USER]
    token = request.cookies.get(SESSION_COOKIE)
    user = None
    if token and len(token) < 100:
        now = utcnow()
        async with unit_of_work(request.app[SESSIONS]) as session:
            sessions = StaffSessionRepository(session)
            user = await sessions.active_user(_hash(token), now)
            if user is not None:
                await sessions.extend(_hash(token), now + _idle_timeout(request), SESSION_LIFETIME)
    request[CURRENT_USER] = user
    request[CURRENT_TOKEN] = token if user else None
    return user


async def signed_in_user(request: web.Request) -> User:
    """The user of a request that passed ``require``."""
    user = await current_user(request)
    if user is None:
        raise NotSignedIn("sign in to the console first")
    return user


def home_of(user: User) -> str:
    return {"trainer": "/trainer/", "lead": "/reports/"}.get(user.role, "/console/")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def require(*roles: str, page: bool = False) -> Callable[[Handler], Handler]:
    """Signed in with one of ``roles``; writes also need the CSRF header. Pages redirect to the login."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            user = await current_user(request)
            if user is None:
                if page:
                    raise web.HTTPFound("/console/login")
                raise NotSignedIn("sign in to the console first")
            if user.role not in roles and page:
                raise web.HTTPFound(home_of(user))
            if user.role not in roles:
                raise Forbidden(f"your role ({user.role}) cannot do this")
            if request.method not in ("GET", "HEAD"):
                # As bytes: compare_digest raises TypeError on text that is not ASCII, and a header can be any
                # bytes (aiohttp keeps the ones that are not UTF-8 as surrogate escapes).
                sent = request.headers.get(CSRF_HEADER, "").encode("utf-8", "surrogateescape")
                if not hmac.compare_digest(sent, csrf_token_for(request, request[CURRENT_TOKEN]).encode()):
                    raise CsrfFailed("missing or wrong CSRF token; reload the page")
            return await handler(request)

        return guarded

    return decorate


def whoami(user: User) -> dict[str, object]:
    """What a console page is told about its signed-in user."""
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role}
