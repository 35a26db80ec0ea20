"""The gateway's exception hierarchy; only the HTTP edge maps these to status codes."""

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


class BotUnavailable(GatewayError):
    code = "bot_unavailable"


class NotFound(GatewayError):
    code = "not_found"
