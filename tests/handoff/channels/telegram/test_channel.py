"""Telegram users get the same product: python-telegram-bot's real HTTP client against the stand-in Bot API."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from sqlalchemy import func, select

from crm_store.db import unit_of_work
from crm_store.models import ChannelIdentity, Conversation, Message
from tests.e2e.client import wait_for
from tests.staff_client import Agent

pytestmark = pytest.mark.slow


def texts_to(api, chat_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [call["text"] for call in api.sent("sendMessage", chat_id)]


def wait_text(api, chat_id: int, fragment: str, timeout: float = 60) -> dict:  # type: ignore[no-untyped-def]
    found = api.wait_for(lambda: [c for c in api.sent("sendMessage", chat_id) if fragment in c["text"]], timeout)
    return found[-1]


async def in_thread(function, *args):  # type: ignore[no-untyped-def]
    return await asyncio.to_thread(function, *args)


async def test_a_question_gets_the_knowledge_base_answer_with_inline_buttons(product, telegram_api) -> None:
    chat = 5001
    telegram_api.push(telegram_api.text_update(chat, "how long until I get my refund?"))
    answer = await in_thread(wait_text, telegram_api, chat, "5-10 business days")
    assert answer["parse_mode"] == "HTML"
    helpful = await in_thread(wait_text, telegram_api, chat, "Did that answer")
    rows = helpful["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in rows] == ["👍 Yes, thanks", "👎 Not really"]
    assert all(len(row[0]["callback_data"].encode()) <= 64 for row in rows)

    telegram_api.push(telegram_api.button_update(chat, rows[0][0]["callback_data"]))
    await in_thread(wait_text, telegram_api, chat, "glad that helped")
    assert telegram_api.sent("answerCallbackQuery"), "the button's spinner is stopped"


async def test_order_status_after_sharing_the_phone_contact(product, telegram_api, product_sessions) -> None:
    chat = 5002
    telegram_api.push(telegram_api.text_update(chat, "/start"))
    hint = await in_thread(wait_text, telegram_api, chat, "share your phone number")
    assert hint["reply_markup"]["keyboard"][0][0]["request_contact"] is True

    telegram_api.push(telegram_api.contact_update(chat, "15035550000"))  # Maria Jensen's phone, as Telegram sends it
    await in_thread(wait_text, telegram_api, chat, "Thanks, Maria")
    async with unit_of_work(product_sessions) as session:
        identity = (
            await session.execute(
                select(ChannelIdentity).where(
                    ChannelIdentity.channel == "telegram", ChannelIdentity.channel_user_id == str(chat)
                )
            )
        ).scalar_one()
    assert identity.verified and identity.customer_id is not None

    telegram_api.push(telegram_api.text_update(chat, "where is my order?"))
    choices = await in_thread(wait_text, telegram_api, chat, "most recent ones")
    first = choices["reply_markup"]["inline_keyboard"][0][0]
    assert first["text"].startswith("HP-")
    telegram_api.push(telegram_api.button_update(chat, first["callback_data"]))
    details = await in_thread(wait_text, telegram_api, chat, "Order " + first["text"].split(" ")[0])
    assert "tracking number" in details["text"] or "Received" in details["text"] or "Payment" in details["text"]


async def test_someone_elses_contact_does_not_link(product, telegram_api) -> None:
    chat = 5003
    telegram_api.push(telegram_api.contact_update(chat, "15035550000", owner_id=999))
    await in_thread(wait_text, telegram_api, chat, "your own phone number")


async def test_the_same_update_three_times_is_processed_once(product, telegram_api, product_sessions) -> None:
    chat = 5004
    update = telegram_api.text_update(chat, "do you ship to canada?")
    for _ in range(3):  # Telegram delivers the same update again, each time after the bot fetched it
        telegram_api.push(update)
        await in_thread(telegram_api.wait_fetched)
    await in_thread(wait_text, telegram_api, chat, "Canada")
    # One chat is answered in order: once a later message is answered, every redelivery was handled.
    telegram_api.push(telegram_api.text_update(chat, "how long do refunds take?"))
    await in_thread(wait_text, telegram_api, chat, "5-10 business days")
    async with unit_of_work(product_sessions) as session:
        stored = (
            await session.execute(
                select(func.count())
                .select_from(Message)
                .where(Message.conversation_id == f"tg-{chat}", Message.sender == "customer")
            )
        ).scalar_one()
    assert stored == 2, "the redelivered update was stored once, beside the later question"
    answers = [text for text in texts_to(telegram_api, chat) if "Canada" in text]
    assert len(answers) == 1, answers


async def test_handoff_round_trip_with_an_agent(product, telegram_api, staff, product_sessions) -> None:  # noqa: F811
    chat = 5005
    telegram_api.push(telegram_api.text_update(chat, "I want to talk to a human <now>"))
    await in_thread(wait_text, telegram_api, chat, "in line")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http_session:
        agent = Agent(http_session, product.base_url)
        await agent.login(staff["agent"])
        _, queue = await agent.get("/queue")
        ticket = next(
            t
            for t in queue["tickets"]
            if t["channel"] == "telegram" and t["preview"] == "I want to talk to a human <now>"
        )
        assert (await agent.post(f"/tickets/{ticket['id']}/claim"))[0] == 200
        await in_thread(wait_text, telegram_api, chat, "joined the chat")
        await agent.post(f"/tickets/{ticket['id']}/messages", {"text": "Hello from Alex & the team"})
        said = await in_thread(wait_text, telegram_api, chat, "Hello from Alex")
        assert said["text"] == "<b>Alex</b>: Hello from Alex &amp; the team"

        telegram_api.push(telegram_api.text_update(chat, "thanks, my parcel is late"))

        async def in_transcript() -> bool:
            _, detail = await agent.get(f"/tickets/{ticket['id']}")
            return "thanks, my parcel is late" in [m["text"] for m in detail["transcript"]]

        await wait_for(in_transcript, timeout=30)

        await agent.post(f"/tickets/{ticket['id']}/resolve", {"resolution": "Checked the parcel", "hand_back": True})
        rating = await in_thread(wait_text, telegram_api, chat, "rate this conversation")
        five = rating["reply_markup"]["inline_keyboard"][0][0]
        telegram_api.push(telegram_api.button_update(chat, five["callback_data"]))
        await in_thread(wait_text, telegram_api, chat, "Thank you for the feedback")
    async with unit_of_work(product_sessions) as session:
        conversation = await session.get(Conversation, f"tg-{chat}")
    assert conversation.state == "bot" and conversation.csat == 5


async def test_in_chinese_from_the_language_code_on(product, telegram_api, staff, product_sessions) -> None:  # noqa: F811
    """A customer whose Telegram speaks Chinese: the tip, an FAQ, a handoff with an agent and the rating."""
    chat = 5008
    telegram_api.push(telegram_api.text_update(chat, "/start", first_name="李", language_code="zh-hans"))
    tip = await in_thread(wait_text, telegram_api, chat, "分享您的手机号")
    assert tip["reply_markup"]["keyboard"][0][0]["text"] == "分享我的手机号"
    await in_thread(wait_text, telegram_api, chat, "您好")  # "/start" is read as a greeting, answered in Chinese

    telegram_api.push(
        telegram_api.text_update(chat, "退货以后多久能拿到退款？", first_name="李", language_code="zh-hans")
    )
    await in_thread(wait_text, telegram_api, chat, "5-10 个工作日")
    helpful = await in_thread(wait_text, telegram_api, chat, "这个回答解决您的问题了吗")
    assert [row[0]["text"] for row in helpful["reply_markup"]["inline_keyboard"]] == ["👍 解决了，谢谢", "👎 没有解决"]

    telegram_api.push(telegram_api.text_update(chat, "我要找人工客服", first_name="李", language_code="zh-hans"))
    await in_thread(wait_text, telegram_api, chat, "排在第")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http_session:
        agent = Agent(http_session, product.base_url)
        await agent.login(staff["agent"])
        _, queue = await agent.get("/queue")
        # The queue previews what the customer asked, not the call for a person.
        ticket = next(
            t for t in queue["tickets"] if t["channel"] == "telegram" and t["preview"] == "退货以后多久能拿到退款？"
        )
        assert ticket["language"] == "zh"
        assert (await agent.post(f"/tickets/{ticket['id']}/claim"))[0] == 200
        await in_thread(wait_text, telegram_api, chat, "已加入对话")
        await agent.post(f"/tickets/{ticket['id']}/messages", {"text": "您好，我来帮您看看"})
        await in_thread(wait_text, telegram_api, chat, "我来帮您看看")
        await agent.post(f"/tickets/{ticket['id']}/resolve", {"resolution": "answered", "hand_back": True})
        rating = await in_thread(wait_text, telegram_api, chat, "打个分")
        four = rating["reply_markup"]["inline_keyboard"][1][0]
        assert four["text"] == "★★★★ 4分"
        telegram_api.push(telegram_api.button_update(chat, four["callback_data"], first_name="李"))
        await in_thread(wait_text, telegram_api, chat, "感谢您的评价")
    async with unit_of_work(product_sessions) as session:
        conversation = await session.get(Conversation, f"tg-{chat}")
    assert conversation.language == "zh" and conversation.csat == 4
