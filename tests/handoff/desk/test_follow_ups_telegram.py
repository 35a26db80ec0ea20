"""Follow-up visits on Telegram: the question arrives with inline Yes / No buttons, and pressing "No" reopens."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from crm_store.db import unit_of_work
from crm_store.models import Ticket
from tests.handoff.channels.telegram.standin import TelegramStandIn
from tests.handoff.desk.follow_up_helpers import PAST_DUE, follow_ups, resolve_complaint, wake_until_sent
from tests.handoff.gateway import add_staff, running_gateway

CHAT = 8301
QUESTION = "Did the replacement arrive? Is everything sorted?"


def inline_buttons(call: dict[str, Any]) -> dict[str, str]:
    """Title -> callback data of a sendMessage's inline keyboard."""
    markup = call.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return {button["text"]: button["callback_data"] for row in markup["inline_keyboard"] for button in row}


async def test_a_resolved_complaint_is_followed_up_on_telegram_and_a_no_reopens_it(
    sessions, database_url, tmp_path, fixed_clock
) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "kim")
    api = TelegramStandIn().start()
    try:
        async with running_gateway(
            database_url,
            tmp_path,
            telegram_bot_token="123:TOKEN",
            telegram_api_url=api.base_url,
            telegram_chat_interval=0.01,
        ) as gateway:
            api.push(api.text_update(CHAT, "the kettle leaks"))
            # The gateway runs in this event loop: wait in a thread so it keeps working.
            await asyncio.to_thread(api.wait_for, lambda: api.sent("sendMessage", CHAT), 20)
            earlier = await resolve_complaint(gateway, f"tg-{CHAT}")

            fixed_clock.advance(seconds=PAST_DUE.total_seconds())
            await wake_until_sent(sessions, gateway)
            [question] = await asyncio.to_thread(
                api.wait_for, lambda: [c for c in api.sent("sendMessage", CHAT) if c["text"] == QUESTION], 20
            )
            buttons = inline_buttons(question)
            assert list(buttons) == ["Yes, all sorted", "No, not yet"]

            api.push(api.button_update(CHAT, buttons["No, not yet"]))
            await asyncio.to_thread(
                api.wait_for,
                lambda: [c for c in api.sent("sendMessage", CHAT) if "reopened your case" in c["text"]],
                20,
            )
        [answered] = await follow_ups(sessions)
        assert answered.state == "reopened"
        async with unit_of_work(sessions) as session:
            reopened = await session.get(Ticket, answered.reopened_ticket_id)
        assert reopened.status == "queued" and reopened.conversation_id == f"tg-{CHAT}"
        assert reopened.context["reopened_from"]["ticket_id"] == earlier
        assert any(line["text"] == "the kettle leaks" for line in reopened.context["transcript"])
    finally:
        api.stop()
