"""Rasa's only input channel: the REST webhook, open only to the gateway.

Rasa's stock ``rest`` channel believes whoever reaches it, metadata included (``customer_id``,
``verified``). This one is the same webhook at ``/webhooks/gateway/webhook``, but it first checks the
gateway's signature over the request body (bot/signing.py) and answers 401 without it, so a message
reaches the dialogue only through the gateway, which authenticates customers and staff.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.signing import SIGNATURE_HEADER, internal_secret, verify

logger = logging.getLogger(__name__)


class GatewayInput(RestInput):
    def __init__(self, secret: str | None = None) -> None:
        self.secret = secret or internal_secret()

    @classmethod
    def name(cls) -> str:
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GatewayInput:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def only_the_gateway(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            if verify(self.secret, "channel", request.body or b"", request.headers.get(SIGNATURE_HEADER)):
                return None
            logger.warning("refused a message to Rasa without the gateway's signature (from %s)", request.ip)
            return response.json({"error": "not_signed", "message": "only the gateway may post here"}, status=401)

        return webhook
