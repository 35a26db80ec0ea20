"""A Telegram message longer than the chat keeps is answered from its start, and the customer is told."""

from __future__ import annotations

import asyncio

from crm_store.db import unit_of_work
from crm_store.models import Message
from tests.handoff.channels.telegram.standin import TelegramStandIn
from tests.handoff.gateway import running_gateway


async def test_a_shortened_message_is_said_to_be_shortened(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    api = TelegramStandIn().start()
    try:
        async with running_gateway(
            database_url,
            tmp_path,
            telegram_bot_token="123:TOKEN",
            telegram_api_url=api.base_url,
            telegram_chat_interval=0.01,
        ) as gateway:
            api.push(api.text_update(8001, "a" * 5000))
            api.push(api.text_update(8002, "short and sweet"))
            # The gateway runs in this event loop: wait in a thread so it keeps working.
            await asyncio.to_thread(api.wait_for, lambda: len(api.sent("sendMessage", 8001)) >= 2, 20)
            await asyncio.to_thread(api.wait_for, lambda: api.sent("sendMessage", 8002), 20)
            said = [call["text"] for call in api.sent("sendMessage", 8001)]
            assert "Your message was 5000 characters long, so I read only the first 2000." in said[0]
            assert said[1] == "re: " + "a" * 2000, "the first 2,000 characters were answered"
            # The two chats are handled concurrently, so Rasa may see them in either order.
            assert sorted(gateway.rasa_received) == ["a" * 2000, "short and sweet"]
            assert [call["text"] for call in api.sent("sendMessage", 8002)] == ["re: short and sweet"], (
                "a message that fits is not remarked on"
            )
        async with unit_of_work(sessions) as session:
            stored = (await session.execute(Message.__table__.select().where(Message.sender == "customer"))).all()
        assert sorted(len(row.text) for row in stored) == [15, 2000]
    finally:
        api.stop()
