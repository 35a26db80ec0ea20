"""Telegram unreachable at start-up: the channel says so and keeps trying; nothing is raised to the gateway."""

from __future__ import annotations

import asyncio

from handoff.channels.telegram.channel import TelegramChannel
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
