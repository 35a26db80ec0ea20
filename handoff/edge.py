"""The HTTP edge: the one place that turns errors into status codes, reads JSON and form bodies and path numbers.

Every view raises errors from ``handoff.errors`` (or lets a store error through);
``errors_as_json`` renders them once, with their code. A configuration error is
reported as one, never as "database unavailable".
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from http.cookies import CookieError
from typing import Any

from aiohttp import web

from crm_store import errors as store
from handoff.csp import BASE_POLICY
from handoff.errors import (
    BotUnavailable,
    ConfigurationError,
    Conflict,
    Forbidden,
    GatewayError,
    InvalidMessage,
    InvalidToken,
    NotFound,
    NotSignedIn,
    RateLimited,
)
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.language import DEFAULT_LANGUAGE, LANGUAGES

logger = logging.getLogger(__name__)
# The first matching class decides the status; subclasses (CsrfFailed, AlreadyClaimed, ...) follow their base.
STATUS_CODES: dict[type[Exception], int] = {
    InvalidMessage: 400,
    InvalidToken: 401,
    NotSignedIn: 401,
    Forbidden: 403,
    NotFound: 404,
    store.NotFound: 404,
    Conflict: 409,
    store.Conflict: 409,
    RateLimited: 429,
    ConfigurationError: 500,
    store.ConfigError: 500,
    BotUnavailable: 503,
    store.StoreUnavailable: 503,
}
# What a client is told for errors whose own message is for the operator's log only.
PUBLIC_MESSAGES: dict[type[Exception], str] = {
    store.StoreUnavailable: "the database is unavailable",
    store.ConfigError: "the server is misconfigured; the operator's log says how",
    ConfigurationError: "the server is misconfigured; the operator's log says how",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": BASE_POLICY,  # every response; pages that need more set their own
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}
FORM = "application/x-www-form-urlencoded"
MAX_ID = 2**63 - 1  # the largest integer SQLite and PostgreSQL's BIGINT hold
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _first_match(error: Exception, table: dict[type[Exception], Any], default: Any) -> Any:
    return next((value for kind, value in table.items() if isinstance(error, kind)), default)


def error_response(error: GatewayError | store.StoreError | KnowledgeBaseError) -> web.Response:
    status = _first_match(error, STATUS_CODES, 400 if isinstance(error, GatewayError) else 500)
    public = _first_match(error, PUBLIC_MESSAGES, None)
    if status >= 500:
        logger.error("%s: %s", error.code, error)
    message = public or (error.message if isinstance(error, GatewayError) else str(error))
    response = web.json_response({"error": error.code, "message": message}, status=status)
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@web.middleware
async def errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Our errors become JSON with a code; nothing a client sends can produce a stack trace."""
    try:
        response = await handler(request)
    except (GatewayError, store.StoreError, KnowledgeBaseError) as error:
        response = error_response(error)
    except CookieError:
        # aiohttp 3.9 raises on a malformed Cookie header as soon as a view reads a cookie; no session
        # can be read from it, which is what the client needs to hear (not a 500).
        response = error_response(NotSignedIn("the Cookie header is malformed; sign in again"))
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def json_object_body(request: web.Request, max_bytes: int | None = None) -> dict[str, Any]:
    """A request body that must be a JSON object; anything else is refused with a message saying why."""
    if max_bytes is not None and request.content_length is not None and request.content_length > max_bytes:
        raise InvalidMessage(f"body is larger than {max_bytes} bytes")
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidMessage("body is not JSON") from None
    except RecursionError:
        raise InvalidMessage("body is nested too deeply") from None
    if not isinstance(body, dict):
        raise InvalidMessage("body must be a JSON object")
    if not _encodable(body):
        raise InvalidMessage("body has text that is not valid Unicode (an unpaired \\ud800-\\udfff escape)")
    return body


async def form_body(request: web.Request) -> dict[str, str]:
    """A browser form's fields (application/x-www-form-urlencoded, what a plain <form> posts), first value each.

    Any other body is refused with a 400: aiohttp's form reader raised inside the view on a multipart body
    without a boundary or with a broken part (a 500), and wrote multipart file parts to temporary files.
    """
    if request.content_type != FORM:
        raise InvalidMessage(f"the form must be sent as {FORM}")
    try:
        form = await request.post()
    except (ValueError, LookupError):  # bytes that are not text in the body's charset, or an unknown charset
        raise InvalidMessage("the form cannot be read as text") from None
    fields: dict[str, str] = {}
    for name, value in form.items():
        if isinstance(value, str):
            fields.setdefault(name, value)
    return fields


def _encodable(body: dict[str, Any]) -> bool:
    """JSON may escape half a surrogate pair ("\\ud800"); no database can store that text, so refuse it here."""
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def id_number(value: Any, field: str) -> int:
    """A whole number that fits a database integer (SQLite raised OverflowError beyond 2**63 - 1: a 500)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ID:
        raise InvalidMessage(f"{field} must be a whole number from 0 to {MAX_ID}")
    return value


def path_number(request: web.Request, name: str) -> int:
    """A numeric id from the URL; anything else is "no such thing", like an id that does not exist."""
    raw = request.match_info[name]
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound(f"no such {name.removesuffix('_id')}")
    return int(raw)


def query_language(request: web.Request, field: str = "language") -> str:
    """A customer language from the query string (en when absent); anything else is refused, naming the field."""
    wanted = request.query.get(field, "") or DEFAULT_LANGUAGE
    if wanted not in LANGUAGES:
        raise InvalidMessage(f"{field} must be one of {', '.join(LANGUAGES)}, got {wanted[:40]!r}")
    return wanted


__all__ = [
    "MAX_ID",
    "SECURITY_HEADERS",
    "STATUS_CODES",
    "error_response",
    "errors_as_json",
    "form_body",
    "id_number",
    "json_object_body",
    "path_number",
    "query_language",
]
