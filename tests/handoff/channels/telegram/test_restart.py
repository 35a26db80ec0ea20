"""Nothing is lost when the gateway stops between receiving and answering (or between answering and sending)."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient, TestServer

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Message
from crm_store.models.base import utcnow
from crm_store.settings import StoreSettings
from handoff.app import create_app
from handoff.keys import TELEGRAM
from handoff.settings import Settings
from tests.e2e.client import wait_for
from tests.handoff.channels.telegram.standin import TelegramStandIn
from tests.handoff.gateway import echoing_rasa


async def test_a_restart_answers_stored_messages_and_sends_undelivered_replies(
    sessions, database_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    api = TelegramStandIn().start()
    rasa = await echoing_rasa([], prefix="answer to: ")
    try:
        # What a gateway that died mid-way leaves behind: a stored question never answered,
        # and a stored reply never delivered to Telegram.
        async with unit_of_work(sessions) as session:
            session.add_all(
                [
                    Conversation(id="tg-7001", channel="telegram"),
                    Conversation(id="tg-7002", channel="telegram"),
                ]
            )
            await session.flush()
            session.add_all(
                [
                    Message(
                        conversation_id="tg-7001",
                        sender="customer",
                        text="are you there?",
                        channel="telegram",
                        channel_message_id="update-1",
                    ),
                    Message(
                        conversation_id="tg-7002",
                        sender="bot",
                        text="your refund is on its way",
                        channel="telegram",
                        created_at=utcnow(),
                    ),
                ]
            )
        settings = Settings(
            store=StoreSettings(var_dir=tmp_path, database_url=database_url),
            rasa_url=str(rasa.make_url("")).rstrip("/"),
            actions_port=rasa.port or 0,
            telegram_bot_token="123:TOKEN",
            telegram_api_url=api.base_url,
            telegram_chat_interval=0.01,
        )
        async with TestClient(TestServer(create_app(settings))):
            # The gateway runs in this event loop: wait in a thread so it keeps working.
            await asyncio.to_thread(api.wait_for, lambda: api.sent("sendMessage", 7001), 20)
            await asyncio.to_thread(api.wait_for, lambda: api.sent("sendMessage", 7002), 20)
        assert [c["text"] for c in api.sent("sendMessage", 7001)] == ["answer to: are you there?"]
        assert [c["text"] for c in api.sent("sendMessage", 7002)] == ["your refund is on its way"]
        async with unit_of_work(sessions) as session:
            rows = (await session.execute(Message.__table__.select().order_by(Message.id))).all()
        assert all(row.processed_at for row in rows if row.sender == "customer")
        assert all(row.delivered_at for row in rows if row.sender == "bot"), "marked delivered once Telegram took them"
    finally:
        await rasa.close()
        api.stop()


async def test_the_channels_own_messages_are_tracked_and_a_restart_sends_only_what_was_not_delivered(
    sessions, database_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The /start tip is stored and marked delivered like a reply; a restarted gateway sends nothing twice."""
    api = TelegramStandIn().start()
    rasa = await echoing_rasa([], prefix="answer to: ")
    settings = Settings(
        store=StoreSettings(var_dir=tmp_path, database_url=database_url),
        rasa_url=str(rasa.make_url("")).rstrip("/"),
        actions_port=rasa.port or 0,
        telegram_bot_token="123:TOKEN",
        telegram_api_url=api.base_url,
        telegram_chat_interval=0.01,
    )
    try:
        async with TestClient(TestServer(create_app(settings))):
            api.push(api.text_update(7101, "/start", first_name="Maria"))
            await asyncio.to_thread(api.wait_for, lambda: api.sent("sendMessage", 7101)[1:], 20)
        first_run = [c["text"] for c in api.sent("sendMessage", 7101)]
        assert any("share your phone number" in text for text in first_run)
        async with unit_of_work(sessions) as session:
            rows = (await session.execute(Message.__table__.select().order_by(Message.id))).all()
        tip = next(row for row in rows if row.sender == "system")
        assert tip.delivered_at is not None and tip.payload == {"telegram_keyboard": "share_contact"}
        assert all(row.delivered_at for row in rows if row.sender in ("bot", "system"))

        async with TestClient(TestServer(create_app(settings))) as client:  # a restart: all was delivered
            channel = client.server.app[TELEGRAM]

            async def resent_what_it_had_to() -> bool:
                return channel.state == "up"  # the start-up resend of undelivered messages has been queued

            await wait_for(resent_what_it_had_to, timeout=60)
            await channel.queues.drain()
        again = [c["text"] for c in api.sent("sendMessage", 7101)][len(first_run) :]
        assert again == [], "nothing the customer already had was sent again"
    finally:
        await rasa.close()
        api.stop()
