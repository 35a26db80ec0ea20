"""The gateway's one exception tree. Each error has a stable ``code``; only ``handoff.edge`` maps them to HTTP.

GatewayError
├── InvalidMessage        a frame or body that does not match its schema (names the field)
├── InvalidToken          a widget token that is forged, expired or malformed
├── NotSignedIn           no console session
├── Forbidden             signed in, but the role may not do this
│   └── CsrfFailed
├── NotFound              includes "not yours": another agent's ticket looks like no ticket
├── RateLimited           an abuse limit was reached; says in words how long to wait
├── Conflict              the thing changed meanwhile, or already exists
│   └── TransitionRefused (handoff.desk.state_machine) → AlreadyClaimed, KeptForOthers
├── BotUnavailable        Rasa cannot be reached or did not answer
└── ConfigurationError    a setting or policy file is wrong; stops start-up, names the field
"""

from __future__ import annotations


class GatewayError(Exception):
    code = "gateway_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidMessage(GatewayError):
    """A frame or request body that does not match its schema; the message names the field."""

    code = "invalid_message"


class InvalidToken(GatewayError):
    code = "invalid_token"


class NotSignedIn(GatewayError):
    code = "not_signed_in"


class Forbidden(GatewayError):
    code = "forbidden"


class CsrfFailed(Forbidden):
    code = "csrf_failed"


class NotFound(GatewayError):
    code = "not_found"


class RateLimited(GatewayError):
    """Over an abuse limit (handoff.limits); ``retry_after`` is whole seconds until the next try can succeed."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Conflict(GatewayError):
    code = "conflict"


class BotUnavailable(GatewayError):
    code = "bot_unavailable"


class ConfigurationError(GatewayError):
    code = "configuration_error"


__all__ = [
    "BotUnavailable",
    "ConfigurationError",
    "Conflict",
    "CsrfFailed",
    "Forbidden",
    "GatewayError",
    "InvalidMessage",
    "InvalidToken",
    "NotFound",
    "NotSignedIn",
    "RateLimited",
]
