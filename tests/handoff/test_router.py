"""The router against a real database and a stand-in Rasa webhook (aiohttp on loopback) that can slow down or go away."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from crm_store.db import unit_of_work
from crm_store.repositories import ConversationRepository
from handoff.errors import InvalidMessage
from handoff.hub import Hub
from handoff.notices import BOT_UNAVAILABLE_TEXT
from handoff.rasa_client import RasaClient
from handoff.router import ChannelUser, ConversationRouter, TypedReplyReader
from handoff.schemas import CustomerMessage


class StandInRasa:
    """Answers like Rasa's REST channel: one echo reply per message, after a random delay."""

    def __init__(self) -> None:
        self.up = True
        self.silent = False
        self.received: list[str] = []
        self.deliveries: list[tuple[str, int | None, bool | None]] = []  # (text, message id, redelivery) per call

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        metadata = body.get("metadata") or {}
        self.deliveries.append((body["message"], metadata.get("message_id"), metadata.get("redelivery")))
        if not self.up:
            return web.Response(status=502)
        self.received.append(body["message"])
        if self.silent:  # what Rasa does when its action server is down: no messages at all
            return web.json_response([])
        await asyncio.sleep(random.uniform(0, 0.05))
        return web.json_response([{"recipient_id": body["sender"], "text": f"re: {body['message']}"}])


@pytest.fixture
async def setup(sessions) -> AsyncIterator[tuple[ConversationRouter, StandInRasa, Hub]]:  # type: ignore[no-untyped-def]
    rasa = StandInRasa()
    app = web.Application()
    app.router.add_post("/webhooks/gateway/webhook", rasa.webhook)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        hub = Hub()
        router = ConversationRouter(sessions, RasaClient(http, str(server.make_url("")), "token"), hub)
        yield router, rasa, hub
    await server.close()


def message(n: int, text: str | None = None) -> CustomerMessage:
    return CustomerMessage(client_id=f"client-{n:04d}", text=text or f"message {n}", payload=None)


async def test_messages_of_one_conversation_are_answered_in_order(setup, sessions) -> None:  # type: ignore[no-untyped-def]
    router, rasa, _ = setup
    conversation = await router.open_conversation(None, ChannelUser("web", ""))
    await asyncio.gather(*(router.receive(conversation, message(n)) for n in range(12)))
    history = await router.history(conversation)
    customer = [m["text"] for m in history if m["sender"] == "customer"]
    bot = [m["text"] for m in history if m["sender"] == "bot"]
    assert bot == [f"re: {text}" for text in customer]
    assert rasa.received == customer, "Rasa saw the messages in the order they were stored"
    assert len(customer) == 12


async def test_a_retried_message_is_stored_and_answered_once(setup) -> None:  # type: ignore[no-untyped-def]
    router, rasa, _ = setup
    conversation = await router.open_conversation(None, ChannelUser("web", ""))
    first = await router.receive(conversation, message(1, "where is my order"))
    again = await router.receive(conversation, message(1, "where is my order"))
    assert first["id"] == again["id"]
    assert rasa.received == ["where is my order"]
    other = await router.open_conversation(None, ChannelUser("web", ""))
    with pytest.raises(InvalidMessage, match="client_id"):
        await router.receive(other, message(1, "hijack"))


async def test_when_rasa_is_down_nothing_is_lost(setup, sessions) -> None:  # type: ignore[no-untyped-def]
    router, rasa, hub = setup
    conversation = await router.open_conversation(None, ChannelUser("web", ""))
    rasa.up = False
    async with hub.subscribe(conversation) as events:
        await router.receive(conversation, message(1, "hello?"))
        await router.receive(conversation, message(2, "anyone?"))
        published = [events.get_nowait() for _ in range(events.qsize())]
    system = [event for event in published if event.get("sender") == "system"]
    assert [event["text"] for event in system] == [BOT_UNAVAILABLE_TEXT], "said once, not per message"
    async with unit_of_work(sessions) as session:
        pending = await ConversationRepository(session).unprocessed_customer_messages(conversation)
    assert [m.text for m in pending] == ["hello?", "anyone?"]

    rasa.up = True
    await router.process_pending(conversation)  # what a reconnect or the next message triggers
    bot = [m["text"] for m in await router.history(conversation) if m["sender"] == "bot"]
    assert bot == ["re: hello?", "re: anyone?"]


async def test_a_message_that_may_have_reached_rasa_before_is_sent_marked_as_such(setup, sessions) -> None:  # type: ignore[no-untyped-def]
    # Rasa's channel answers a marked message from its tracker when the turn already ran (bot/channels/redelivery.py).
    router, rasa, _ = setup
    conversation = await router.open_conversation(None, ChannelUser("web", ""))
    first = await router.receive(conversation, message(1, "first"))
    assert rasa.deliveries == [("first", first["id"], False)], "stored here, sent once: surely the first send"

    rasa.up = False
    second = await router.receive(conversation, message(2, "second"))
    rasa.up = True
    await router.process_pending(conversation)  # Rasa may have run the failed send: the retry is marked
    assert rasa.deliveries[1:] == [("second", second["id"], False), ("second", second["id"], True)]

    # Stored by one gateway process, answered by another (the first died, or the customer's next message went there).
    third = await router.receive(conversation, message(3, "third"), answer=False)
    other = ConversationRouter(sessions, router.rasa, Hub())
    await other.process_pending(conversation)
    assert rasa.deliveries[3:] == [("third", third["id"], True)]
    await other.close()


async def test_a_signed_in_customer_never_continues_someone_elses_conversation(setup, sessions) -> None:  # type: ignore[no-untyped-def]
    from crm_store.repositories import CustomerRepository
    from tests.factories import make_customer

    router, _, _ = setup
    async with unit_of_work(sessions) as session:
        first = await CustomerRepository(session).add(make_customer())
        second = await CustomerRepository(session).add(make_customer())
    conversation = await router.open_conversation(None, ChannelUser("web", "", first.id))
    assert await router.open_conversation(conversation, ChannelUser("web", "", first.id)) == conversation
    assert await router.open_conversation(conversation, ChannelUser("web", "", second.id)) != conversation
    assert await router.open_conversation("unknown-session-id-123", ChannelUser("web", "")) != "unknown-session-id-123"


async def test_an_empty_answer_from_the_bot_still_tells_the_customer_something(setup) -> None:  # type: ignore[no-untyped-def]
    from handoff.notices import NO_REPLY_TEXT

    router, rasa, _ = setup
    conversation = await router.open_conversation(None, ChannelUser("web", ""))
    rasa.silent = True
    await router.receive(conversation, message(1, "where is my order"))
    said = [m for m in await router.history(conversation) if m["sender"] != "customer"]
    assert [(m["sender"], m["text"]) for m in said] == [("system", NO_REPLY_TEXT)]


async def test_the_action_servers_yes_is_trusted_for_a_second_and_a_silent_turn_is_checked_at_once(sessions) -> None:  # type: ignore[no-untyped-def]
    rasa, health_checks, now = StandInRasa(), [], [100.0]
    actions_up = [True]

    async def health(request: web.Request) -> web.Response:
        health_checks.append(now[0])
        return web.json_response({"status": "ok"}, status=200 if actions_up[0] else 503)

    app = web.Application()
    app.router.add_post("/webhooks/gateway/webhook", rasa.webhook)
    app.router.add_get("/health", health)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            client = RasaClient(
                http,
                str(server.make_url("")),
                "token",
                actions_health_url=str(server.make_url("/health")),
                clock=lambda: now[0],
            )
            router = ConversationRouter(sessions, client, Hub())
            conversation = await router.open_conversation(None, ChannelUser("web", ""))
            for n in range(3):  # three messages within the same second: one check
                await router.receive(conversation, message(n))
            assert health_checks == [100.0]
            now[0] += 1.5
            await router.receive(conversation, message(3))
            assert health_checks == [100.0, 101.5], "a second later the action server is asked again"

            actions_up[0], rasa.silent = False, True  # it dies inside the trusted second
            await router.receive(conversation, message(4, "are you there?"))
            assert len(health_checks) == 3, "no replies: asked at once"
            async with unit_of_work(sessions) as session:
                pending = await ConversationRepository(session).unprocessed_customer_messages(conversation)
            assert [m.text for m in pending] == ["are you there?"], "kept for when it is back, not lost"
    finally:
        await server.close()


async def test_an_answered_message_costs_three_transactions(setup, sessions) -> None:  # type: ignore[no-untyped-def]
    """Store the message; read the turn; store the replies and find the next turn in the same one."""
    from sqlalchemy import event

    router, _, _ = setup
    conversation = await router.open_conversation(None, ChannelUser("web", ""))
    engine = sessions.kw["bind"].sync_engine
    commits: list[int] = []

    def counted(connection) -> None:  # type: ignore[no-untyped-def]
        commits.append(1)

    event.listen(engine, "commit", counted)
    try:
        await router.receive(conversation, message(1))
    finally:
        event.remove(engine, "commit", counted)
    assert len(commits) == 3, f"{len(commits)} transactions (four before the replies' one also found the next turn)"
    assert [m["text"] for m in await router.history(conversation)] == ["message 1", "re: message 1"]


async def test_a_typed_message_no_reader_could_read_costs_no_look_up_of_the_buttons(setup, sessions) -> None:  # type: ignore[no-untyped-def]
    """A typed "yes" may answer buttons the gateway handles; a question cannot, so the buttons are not looked up."""
    from sqlalchemy import event

    router, _, _ = setup
    read: list[tuple[str, list]] = []
    router.typed_replies["follow_up_answer"] = TypedReplyReader(
        lambda text: "?" not in text, lambda text, offered: read.append((text, offered)) or None
    )
    conversation = await router.open_conversation(None, ChannelUser("web", ""))
    engine = sessions.kw["bind"].sync_engine
    look_ups: list[str] = []

    def seen(connection, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if "messages.sender !=" in statement:  # buttons_offered_before: the bot's last message
            look_ups.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        await router.receive(conversation, message(1, "what time do you open?"))
        assert look_ups == [], "a question is for the bot: no look-up"
        await router.receive(conversation, message(2, "yes"))
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(look_ups) == 1, "a reply a reader could read looks up the buttons offered"
    assert read == [], "the bot's last message offered no buttons, so there was nothing to read it as"
    assert [m["text"] for m in await router.history(conversation)][-1] == "re: yes", "and the bot answered it"
