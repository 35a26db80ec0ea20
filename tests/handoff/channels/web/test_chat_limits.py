"""The web chat against a real gateway: limits answered in words, nothing stored for a silent hello, oversized
messages and foreign origins refused with a reason, and a signed-in customer's conversation kept theirs."""

from __future__ import annotations

import uuid

import aiohttp
import pytest
from sqlalchemy import func, select

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Message
from handoff.channels.web.client import ChatClient
from handoff.channels.web.tokens import sign_customer
from tests.factories import make_customer
from tests.handoff.gateway import Gateway, running_gateway


async def count(sessions, model) -> int:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def send(client: ChatClient, text: str) -> str:
    client_id = uuid.uuid4().hex
    await client.send_raw({"type": "message", "client_id": client_id, "text": text})
    return client_id


async def next_of(client: ChatClient, wanted) -> dict:  # type: ignore[no-untyped-def]
    """The next frame that ``wanted`` accepts (frames before it, such as typing, are passed over)."""
    while True:
        frame = await client.receive(timeout=20)
        if wanted(frame):
            return frame


def bot_reply(frame: dict) -> bool:
    return frame.get("type") == "message" and frame.get("sender") == "bot"


def an_error(frame: dict) -> bool:
    return frame.get("type") == "error"


async def connected(http: aiohttp.ClientSession, gateway: Gateway, **hello) -> ChatClient:  # type: ignore[no-untyped-def]
    client = ChatClient(http, gateway.base_url)
    welcome = await client.connect(**hello)
    assert welcome["type"] == "welcome", welcome
    return client


async def test_a_hello_stores_nothing_until_the_first_message(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        silent = [await connected(http, gateway) for _ in range(5)]
        assert await count(sessions, Conversation) == 0, "connections that say nothing leave no rows"
        talker = silent[0]
        await send(talker, "hi there")
        assert (await next_of(talker, bot_reply))["text"] == "re: hi there"
        async with unit_of_work(sessions) as session:
            stored = (await session.execute(select(Conversation))).scalars().all()
        assert [c.id for c in stored] == [talker.session_id], "stored under the id the welcome gave"
        again = await connected(http, gateway, session_id=talker.session_id)
        assert again.session_id == talker.session_id and [m["text"] for m in again.history][0] == "hi there"


async def test_messages_over_the_limit_per_connection_are_refused_in_words_and_the_rest_answered(
    sessions, database_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    async with (
        running_gateway(database_url, tmp_path, chat_messages_per_connection_limit="3/minute") as gateway,
        aiohttp.ClientSession() as http,
    ):
        client = await connected(http, gateway)
        for n in range(3):
            await send(client, f"question {n}")
        refused_id = await send(client, "one too many")
        errors, replies = [], []
        while len(errors) < 1 or len(replies) < 3:
            frame = await next_of(client, lambda f: an_error(f) or bot_reply(f))
            (errors if an_error(frame) else replies).append(frame)
        assert errors[0]["code"] == "rate_limited" and errors[0]["client_id"] == refused_id
        assert "faster than we can read them" in errors[0]["message"] and "wait" in errors[0]["message"]
        assert [r["text"] for r in replies] == ["re: question 0", "re: question 1", "re: question 2"], (
            "everything accepted is answered"
        )
        assert await count(sessions, Message) == 6, "three questions and three answers; the refused one is not stored"
        # A new connection has its own count (the per-address limit is far away).
        fresh = await connected(http, gateway, session_id=client.session_id)
        await send(fresh, "back again")
        assert (await next_of(fresh, bot_reply))["text"] == "re: back again"


async def test_messages_per_address_count_across_connections(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with (
        running_gateway(database_url, tmp_path, chat_messages_per_address_limit="2/minute") as gateway,
        aiohttp.ClientSession() as http,
    ):
        first, second = await connected(http, gateway), await connected(http, gateway)
        await send(first, "one")
        await next_of(first, bot_reply)
        await send(second, "two")
        await next_of(second, bot_reply)
        await send(second, "three")
        assert (await next_of(second, an_error))["code"] == "rate_limited"
        async with http.post(
            gateway.url("/api/chat/messages"), json={"client_id": uuid.uuid4().hex, "text": "over REST"}
        ) as response:
            body = await response.json()
            assert response.status == 429 and body["error"] == "rate_limited"
            assert 1 <= int(response.headers["Retry-After"]) <= 60


async def test_new_conversations_per_address_are_limited(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with (
        running_gateway(database_url, tmp_path, chat_new_conversations_limit="2/minute") as gateway,
        aiohttp.ClientSession() as http,
    ):
        clients = [await connected(http, gateway) for _ in range(3)]
        for client in clients[:2]:
            await send(client, "hello")
            await next_of(client, bot_reply)
        await send(clients[2], "hello")
        error = await next_of(clients[2], an_error)
        assert error["code"] == "rate_limited" and "new conversations" in error["message"]
        assert await count(sessions, Conversation) == 2
        # Continuing a conversation is not a new one.
        await send(clients[0], "and another thing")
        assert (await next_of(clients[0], bot_reply))["text"] == "re: and another thing"


async def test_an_oversized_message_is_answered_with_the_limit_and_the_chat_goes_on(
    sessions, database_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        client = await connected(http, gateway)
        for text in ("x" * 2001, "y" * 100_000):
            client_id = await send(client, text)
            error = await next_of(client, an_error)
            assert error["code"] == "invalid_message" and error["client_id"] == client_id
            assert "at most 2000 characters" in error["message"]
        await send(client, "still here")
        assert (await next_of(client, bot_reply))["text"] == "re: still here"
        assert await count(sessions, Message) == 2


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, True),  # not a browser page
        ("own", True),
        ("https://shop.example.com", True),  # PUBLIC_URL
        ("https://partner.example.org", True),  # ALLOWED_ORIGINS
        ("https://evil.example.net", False),
        ("null", False),
    ],
)
async def test_only_allowed_origins_open_a_websocket(sessions, database_url, tmp_path, origin, allowed) -> None:  # type: ignore[no-untyped-def]
    async with (
        running_gateway(
            database_url,
            tmp_path,
            public_url="https://shop.example.com",
            allowed_origins=("https://partner.example.org/",),
        ) as gateway,
        aiohttp.ClientSession() as http,
    ):
        headers = {} if origin is None else {"Origin": gateway.base_url if origin == "own" else origin}
        for path in ("/ws/chat", "/console/ws"):
            try:
                socket = await http.ws_connect(gateway.url(path), headers=headers)
            except aiohttp.WSServerHandshakeError as refused:
                status = refused.status
            else:
                status = 101
                await socket.close()
            if allowed:
                assert status in (101, 401), f"{path}: {status}"  # the console's socket then asks for a sign-in
            else:
                assert status == 403, f"{path}: {status}"


async def test_a_signed_in_customers_conversation_opens_only_with_their_token(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        customer = make_customer()
        session.add(customer)
        await session.flush()
        customer_id = customer.id
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        token = sign_customer(gateway.settings.widget_secret, customer_id)
        owner = await connected(http, gateway, customer_token=token)
        await send(owner, "my address is 12 Elm Street")
        await next_of(owner, bot_reply)

        stranger = await connected(http, gateway, session_id=owner.session_id)
        assert stranger.session_id != owner.session_id and stranger.history == []
        back = await connected(http, gateway, session_id=owner.session_id, customer_token=token)
        assert back.session_id == owner.session_id and "12 Elm Street" in str(back.history)

        history = gateway.url(f"/api/chat/history?session_id={owner.session_id}")
        async with http.get(history) as response:
            assert response.status == 200 and (await response.json())["messages"] == []
        async with http.get(history, headers={"X-Customer-Token": token}) as response:
            assert "12 Elm Street" in str((await response.json())["messages"])
        rest = {"session_id": owner.session_id, "client_id": uuid.uuid4().hex, "text": "hi"}
        async with http.post(gateway.url("/api/chat/messages"), json=rest) as response:
            body = await response.json()
            assert body["session_id"] != owner.session_id and "Elm" not in str(body["messages"])


async def test_no_history_by_an_id_derived_from_a_channel_user_id(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    telegram_id = "tg-1234567890123456"  # long enough to pass the id pattern: the channel decides
    async with unit_of_work(sessions) as session:
        session.add(Conversation(id=telegram_id, channel="telegram"))
        await session.flush()
        session.add(Message(conversation_id=telegram_id, sender="customer", text="my pin is 1234", channel="telegram"))
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        async with http.get(gateway.url(f"/api/chat/history?session_id={telegram_id}")) as response:
            assert (await response.json())["messages"] == []
        joined = await connected(http, gateway, session_id=telegram_id)
        assert joined.session_id != telegram_id and joined.history == []
