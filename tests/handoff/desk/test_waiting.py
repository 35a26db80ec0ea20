"""Messages that waited for the bot: answered once when it is back, or handed to a person after the wait."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from crm_store.db import unit_of_work
from crm_store.models import Conversation
from handoff.desk.waiting import REASON, WaitingMessages
from handoff.hub import Hub
from handoff.notices import BOT_UNAVAILABLE_TEXT
from handoff.rasa_client import RasaClient
from handoff.router import ChannelUser, ConversationRouter
from handoff.schemas import CustomerMessage, OutboundMessage

WAIT = timedelta(seconds=120)


class StandInBot:
    """Rasa (webhook and parse) and the action server's health, each able to go away."""

    def __init__(self) -> None:
        self.rasa_up = True
        self.actions_up = True
        self.received: list[str] = []

    async def webhook(self, request: web.Request) -> web.Response:
        if not self.rasa_up:
            return web.Response(status=502)
        body = await request.json()
        self.received.append(body["message"])
        return web.json_response([{"text": f"re: {body['message']}"}])

    async def parse(self, request: web.Request) -> web.Response:
        if not self.rasa_up:
            return web.Response(status=502)
        return web.json_response({"intent": {"name": "greet", "confidence": 1.0}})

    async def actions_health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"}, status=200 if self.actions_up else 503)


class StandInDesk:
    """The escalation path's effect on the conversation: it leaves the bot for the queue."""

    def __init__(self, sessions: Any) -> None:
        self.sessions = sessions
        self.escalated: list[tuple[str, str]] = []

    async def escalate(self, conversation_id: str, reason: str, *, tier: str | None) -> None:
        self.escalated.append((conversation_id, reason))
        async with unit_of_work(self.sessions) as session:
            conversation = await session.get(Conversation, conversation_id)
            assert conversation is not None
            conversation.state = "queued"


@pytest.fixture
async def setup(sessions) -> AsyncIterator[tuple[ConversationRouter, StandInBot, StandInDesk, WaitingMessages]]:  # type: ignore[no-untyped-def]
    bot = StandInBot()
    app = web.Application()
    app.router.add_post("/webhooks/gateway/webhook", bot.webhook)
    app.router.add_post("/model/parse", bot.parse)
    app.router.add_get("/health", bot.actions_health)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    async with aiohttp.ClientSession() as http:
        rasa = RasaClient(http, base, "token", actions_health_url=f"{base}/health")
        router = ConversationRouter(sessions, rasa, Hub())
        desk = StandInDesk(sessions)
        yield router, bot, desk, WaitingMessages(sessions, router, rasa, desk, WAIT)  # type: ignore[arg-type]
    await server.close()


def message(n: int) -> CustomerMessage:
    return CustomerMessage(client_id=f"client-{n:04d}", text=f"message {n}", payload=None)


@pytest.mark.parametrize("part", ["rasa", "actions"])
async def test_waiting_messages_are_answered_once_when_the_part_is_back(setup, part: str) -> None:  # type: ignore[no-untyped-def]
    router, bot, desk, waiting = setup
    conversation = await router.open_conversation(None, ChannelUser("web", ""))
    setattr(bot, f"{part}_up", False)
    await router.receive(conversation, message(1))
    await router.receive(conversation, message(2))
    assert await waiting.check_once() == 1, "still waiting while the part is down"

    setattr(bot, f"{part}_up", True)
    assert await waiting.check_once() == 0
    assert await waiting.check_once() == 0
    said = [(m["sender"], m["text"]) for m in await router.history(conversation) if m["sender"] != "customer"]
    assert said == [("system", BOT_UNAVAILABLE_TEXT), ("bot", "re: message 1"), ("bot", "re: message 2")]
    assert bot.received == ["message 1", "message 2"], "each answered once"
    assert desk.escalated == []


async def test_after_the_wait_a_person_takes_over(setup, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    router, bot, desk, waiting = setup
    for_people: list[OutboundMessage] = []

    async def to_people(conversation_id: str, outgoing: OutboundMessage) -> None:
        for_people.append(outgoing)

    router.on_message_for_people = to_people
    conversation = await router.open_conversation(None, ChannelUser("web", ""))
    bot.rasa_up = False
    await router.receive(conversation, message(1))
    fixed_clock.advance(seconds=WAIT.total_seconds() - 1)
    assert await waiting.check_once() == 1 and desk.escalated == []

    fixed_clock.advance(seconds=2)
    assert await waiting.check_once() == 0
    assert desk.escalated == [(conversation, REASON)]
    assert [m["text"] for m in for_people] == ["message 1"], "the waiting message reaches the people, once"
