"""The Telegram channel's parts without the whole product: formatting, pacing and 429 handling, the webhook guard."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from telegram import Bot

from crm_store.models import Message
from crm_store.settings import StoreSettings
from handoff.app import create_app
from handoff.channels.telegram.delivery import ChatQueues
from handoff.channels.telegram.formatting import parse_callback_data, render, split_message
from handoff.settings import Settings
from tests.handoff.channels.telegram.standin import TelegramStandIn


@pytest.fixture(scope="module")
def api():  # type: ignore[no-untyped-def]
    standin = TelegramStandIn().start()
    yield standin
    standin.stop()


def test_text_is_escaped_for_telegram_html() -> None:
    assert render("<b>free</b> & fast") == "&lt;b&gt;free&lt;/b&gt; &amp; fast"
    assert render("hi <3", agent_name="Kim <admin>", sender="agent") == "<b>Kim &lt;admin&gt;</b>: hi &lt;3"


def test_long_answers_are_split_within_the_limit_at_boundaries() -> None:
    text = ("word " * 2000).strip() + "\n\n" + "tail &amp; end"
    pieces = split_message(text, limit=4096)
    assert all(len(piece) <= 4096 for piece in pieces) and len(pieces) == 3
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())
    assert not any(piece.endswith("&amp") for piece in pieces)


def test_callback_data_round_trip_and_garbage() -> None:
    assert parse_callback_data("b:12:3") == (12, 3)
    assert (
        parse_callback_data("b:12") is None
        and parse_callback_data("x:1:2") is None
        and parse_callback_data(None) is None
    )


async def test_a_429_retry_after_is_honoured_and_order_is_kept(api: TelegramStandIn) -> None:
    bot = Bot("123:TOKEN", base_url=api.base_url)
    await bot.initialize()
    queues = ChatQueues(min_interval_s=0.05)
    api.fail_next("sendMessage", retry_after=1)
    for text in ("first", "second", "third"):
        queues.put(4242, lambda text=text: bot.send_message(4242, text), _nothing)
    await queues.drain()
    await queues.close()
    calls = [
        (params["text"], at)
        for name, params, at in api.calls
        if name == "sendMessage" and str(params["chat_id"]) == "4242"
    ]
    assert [text for text, _ in calls] == ["first", "first", "second", "third"], "retried, then in order"
    assert calls[1][1] - calls[0][1] >= 1.0, "waited as long as Telegram asked"
    await bot.shutdown()


async def _nothing() -> None:
    return None


async def test_the_webhook_refuses_a_wrong_or_missing_secret_and_writes_nothing(
    api: TelegramStandIn, tmp_path, sessions, database_url
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        store=StoreSettings(var_dir=tmp_path, database_url=database_url),
        telegram_bot_token="123:TOKEN",
        telegram_mode="webhook",
        telegram_webhook_secret="s3cret-token-of-the-webhook",
        telegram_api_url=api.base_url,
        public_url="https://shop.example.com",
    )
    update = api.text_update(6001, "hello")
    async with TestClient(TestServer(create_app(settings))) as client:
        # The channel connects in the background (a Telegram outage never holds up the gateway).
        await asyncio.to_thread(api.wait_for, lambda: api.sent("setWebhook"), 20)
        assert api.sent("setWebhook")[-1]["secret_token"] == "s3cret-token-of-the-webhook"
        for headers in (
            {},
            {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
            {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token-of-the-webhoo"},
        ):
            response = await client.post("/telegram/webhook", json=update, headers=headers)
            assert response.status == 403
        async with sessions() as session:
            assert (await session.execute(select(func.count()).select_from(Message))).scalar_one() == 0
        started = time.monotonic()
        ok = await client.post(
            "/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token-of-the-webhook"}
        )
        assert ok.status == 200 and time.monotonic() - started < 5
        bad = await client.post(
            "/telegram/webhook",
            data="not json",
            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token-of-the-webhook"},
        )
        assert bad.status == 400
        # A string where the message object belongs was an AttributeError inside the webhook (a 500).
        wrong_shape = await client.post(
            "/telegram/webhook",
            json={"update_id": 1, "message": "x"},
            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token-of-the-webhook"},
        )
        assert (wrong_shape.status, await wrong_shape.json()) == (
            400,
            {"error": "invalid_message", "message": "message must be an object"},
        )


async def test_network_errors_are_retried_until_telegram_takes_the_message(api: TelegramStandIn) -> None:
    bot = Bot("123:TOKEN", base_url=api.base_url)
    await bot.initialize()
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:  # the back-off is recorded, not slept
        waits.append(seconds)

    delivered: list[str] = []
    queues = ChatQueues(min_interval_s=0.0, sleep=no_wait)
    api.fail_with_bad_gateway("sendMessage", times=12)  # longer than any fixed number of attempts would allow
    for text in ("first", "second"):

        async def mark(text: str = text) -> None:
            delivered.append(text)

        queues.put(4343, lambda text=text: bot.send_message(4343, text), mark)
    await queues.drain()
    await queues.close()
    assert delivered == ["first", "second"], "nothing dropped, nothing reordered"
    assert [params["text"] for params in api.sent("sendMessage", 4343)] == ["first"] * 13 + ["second"]
    assert waits[:3] == [0.5, 1.0, 2.0] and max(waits) == 60.0, "backed off, capped"
    await bot.shutdown()
