"""The Content-Security-Policy every response carries, and the one pages with a websocket carry.

No inline script or style anywhere, so an injected tag cannot run; ``connect-src`` names
only the gateway itself (and its own ws/wss origin, on the pages that open a socket), so a
script that did slip in could not send data elsewhere.
"""

from __future__ import annotations

import re

from aiohttp import web

BASE_POLICY = (
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# A host header that could not smuggle a directive into the policy (no spaces, no semicolons).
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$")


def policy_with_sockets(request: web.Request) -> str:
    """BASE_POLICY plus this gateway's own ws:// and wss:// origin (browsers differ on whether 'self' covers them)."""
    host = request.host
    if not _HOST.match(host):
        return BASE_POLICY
    return BASE_POLICY.replace("connect-src 'self'", f"connect-src 'self' ws://{host} wss://{host}")


def socket_page_headers(request: web.Request, headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Content-Security-Policy": policy_with_sockets(request)}


__all__ = ["BASE_POLICY", "policy_with_sockets", "socket_page_headers"]
