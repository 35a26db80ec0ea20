"""Signed customer tokens: the shop's page vouches for a signed-in customer.

Format ``v1.<customer id>.<expiry unix time>.<hex HMAC-SHA256>``, signed with
``WIDGET_SECRET``. The shop's server mints them; the gateway verifies them in
constant time and trusts nothing else a browser says about who it is.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from handoff.errors import InvalidToken

VERSION = "v1"
DEFAULT_LIFETIME_S = 24 * 3600


def _signature(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def sign_customer(
    secret: str, customer_id: int, *, lifetime_s: int = DEFAULT_LIFETIME_S, now: float | None = None
) -> str:
    expires = int((now if now is not None else time.time()) + lifetime_s)
    body = f"{VERSION}.{customer_id}.{expires}"
    return f"{body}.{_signature(secret, body)}"


def verify_customer(secret: str, token: str, *, now: float | None = None) -> int:
    """The customer id the token vouches for; InvalidToken if forged, malformed or expired."""
    # ASCII only: hmac.compare_digest raises TypeError on other text, and "²".isdigit() is true.
    parts = token.split(".") if isinstance(token, str) and len(token) < 200 and token.isascii() else []
    if len(parts) != 4 or parts[0] != VERSION or not parts[1].isdigit() or not parts[2].isdigit():
        raise InvalidToken("customer_token is malformed")
    body = ".".join(parts[:3])
    if not hmac.compare_digest(_signature(secret, body), parts[3]):
        raise InvalidToken("customer_token has a bad signature")
    if int(parts[2]) < (now if now is not None else time.time()):
        raise InvalidToken("customer_token has expired")
    return int(parts[1])
