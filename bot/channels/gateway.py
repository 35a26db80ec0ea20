"""Rasa's only input channel: the REST webhook, open only to the gateway.

Rasa's stock ``rest`` channel believes whoever reaches it, metadata included (``customer_id``,
``verified``). This one is the same webhook at ``/webhooks/gateway/webhook``, but it first checks the
gateway's signature over the request body (bot/signing.py) and answers 401 without it, so a message
reaches the dialogue only through the gateway, which authenticates customers and staff. A message the
gateway sends again is answered from the tracker, not run twice (bot/channels/redelivery.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.redelivery import handle_once, is_redelivery
from bot.signing import SIGNATURE_HEADER, internal_secret, verify

logger = logging.getLogger(__name__)
_agent: ContextVar[Agent | None] = ContextVar("agent", default=None)  # the agent of the request being handled


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
        async def answer_once(message: UserMessage) -> None:
            agent = _agent.get()
            if agent is not None and is_redelivery(message):
                await handle_once(agent, message)
            else:
                await on_new_message(message)

        webhook = super().blueprint(answer_once)

        @webhook.middleware("request")
        async def only_the_gateway(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            if verify(self.secret, "channel", request.body or b"", request.headers.get(SIGNATURE_HEADER)):
                _agent.set(getattr(request.app.ctx, "agent", None))
                return None
            logger.warning("refused a message to Rasa without the gateway's signature (from %s)", request.ip)
            return response.json({"error": "not_signed", "message": "only the gateway may post here"}, status=401)

        return webhook
