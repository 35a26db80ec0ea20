"""Who may read a process's Prometheus ``/metrics``: the machine itself, or whoever has ``METRICS_TOKEN``.

Shared by the gateway (aiohttp) and the action server (Sanic), which may not import each other;
each passes the client address it trusts. "The machine itself" is a loopback client address on a
request that no proxy forwarded: behind a reverse proxy on the same machine every request's peer
is 127.0.0.1, and the metrics must not open to the internet through it.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from ipaddress import ip_address

ENV_METRICS_TOKEN = "METRICS_TOKEN"  # noqa: S105 (a variable name, not a secret)
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")

ALLOWED, UNAUTHORISED, FORBIDDEN = 200, 401, 403


def metrics_token(environ: Mapping[str, str] | None = None) -> str:
    """The token from the environment (empty: loopback only); for processes without the gateway's Settings."""
    return (os.environ if environ is None else environ).get(ENV_METRICS_TOKEN, "")


def _loopback(address: str) -> bool:
    try:
        return ip_address(address).is_loopback
    except ValueError:
        return False


def metrics_access(client: str, headers: Mapping[str, str], token: str) -> int:
    """ALLOWED, UNAUTHORISED (a wrong bearer token) or FORBIDDEN (not local and no token)."""
    given = headers.get("Authorization", "")
    if given:
        scheme, _, value = given.partition(" ")
        if token and scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token):
            return ALLOWED
        return UNAUTHORISED  # a token was offered and it is not the one: say so, even locally
    forwarded = any(headers.get(name) for name in FORWARDING_HEADERS)
    return ALLOWED if _loopback(client) and not forwarded else FORBIDDEN


__all__ = ["ALLOWED", "ENV_METRICS_TOKEN", "FORBIDDEN", "UNAUTHORISED", "metrics_access", "metrics_token"]
