"""Telegram unreachable at start-up or later: the channel says so and keeps trying, web chat is untouched, and
what was asked during the outage is answered once Telegram is back."""

from __future__ import annotations

import asyncio

import aiohttp

from handoff.channels.telegram.channel import TelegramChannel
from handoff.channels.web.client import ChatClient, texts
from handoff.hub import Hub
from handoff.ops.launch import free_port
from handoff.settings import Settings
from tests.e2e.client import wait_for


async def test_an_unreachable_telegram_is_retried_in_the_background() -> None:
    # A port nobody listens on: getMe fails at once with a network error, as in an outage.
    settings = Settings(telegram_bot_token="123456:TEST-TOKEN", telegram_api_url=f"http://127.0.0.1:{free_port()}/bot")
    channel = TelegramChannel(settings, None, None, Hub())  # type: ignore[arg-type]  # never reached before getMe
    channel.start_in_background()

    async def said_unreachable() -> bool:
        return channel.state.startswith("unreachable")

    try:
        await wait_for(said_unreachable, timeout=20)
        assert "retrying" in channel.state
    finally:
        await asyncio.wait_for(channel.stop(), timeout=10)
    assert channel.state.startswith("unreachable"), "stopping while retrying is clean"


async def test_a_telegram_outage_after_start_up_leaves_web_chat_working_and_catches_up(product, telegram_api) -> None:  # type: ignore[no-untyped-def]
    chat = 5090

    async def telegram_state(http: aiohttp.ClientSession) -> str:
        async with http.get(f"{product.base_url}/readyz") as response:
            return str((await response.json())["telegram"])

    async with aiohttp.ClientSession() as http:
        telegram_api.begin_outage("getUpdates", "sendMessage")
        try:

            async def reported_unreachable() -> bool:
                return (await telegram_state(http)).startswith("unreachable, retrying")

            # The long poll in progress ends (10 s) before the first failing one.
            await wait_for(reported_unreachable, timeout=60)
            customer = ChatClient(http, product.base_url)
            assert (await customer.connect())["type"] == "welcome"
            replies = await customer.say("how long until I get my refund?", timeout=60)
            assert "5-10 business days" in texts(replies), "web chat answers while Telegram is down"
            telegram_api.push(telegram_api.text_update(chat, "how long until I get my refund?"))
        finally:
            telegram_api.end_outage()

        answer = await asyncio.to_thread(
            telegram_api.wait_for,
            lambda: [c for c in telegram_api.sent("sendMessage", chat) if "5-10 business days" in c["text"]],
            120,  # python-telegram-bot's own back-off between failed polls grows to 30 s
        )
        assert len(answer) == 1, "the question asked during the outage is answered once"

        async def reported_up() -> bool:
            return await telegram_state(http) == "up"

        await wait_for(reported_up, timeout=30)
