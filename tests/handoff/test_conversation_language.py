"""The language each conversation is answered in: detected per message, chosen in the widget, Traditional
Chinese read as Simplified by the bot and answered in Traditional once the customer writes it consistently."""

from __future__ import annotations

import uuid

import aiohttp
import pytest

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Message
from handoff.channels.web.client import ChatClient
from handoff.conversation_language import decide, writes_traditional
from handoff.hub import Hub
from handoff.router import ConversationRouter
from knowledge_base.language import detect, normalise, to_simplified, to_traditional
from tests.handoff.gateway import running_gateway


@pytest.mark.parametrize(
    ("text", "language", "traditional"),
    [
        ("我的订单到哪里了？", "zh", False),
        ("我的訂單到哪裡了？", "zh", True),
        ("refund要多久", "zh", False),
        ("where is my order", "en", False),
        ("ok", "en", False),
        ("HP-100123", None, False),
        ("maria@example.com", None, False),
        ("👍 12345", None, False),
        ("我的邮箱是maria@example.com", "zh", False),
    ],
)
def test_the_script_decides_the_language(text: str, language: str | None, traditional: bool) -> None:
    found = detect(text)
    assert (found.language, found.traditional) == (language, traditional)


def test_traditional_and_simplified_convert_both_ways_and_leave_latin_alone() -> None:
    assert to_simplified("請問運費多少 HP-100123") == "请问运费多少 HP-100123"
    assert to_traditional("请问运费多少") == "請問運費多少"
    assert to_simplified("where is it") == "where is it"
    assert [normalise(code) for code in ("zh-hans", "zh_TW", "en-GB", "fr", None)] == ["zh", "zh", "en", None, None]


def _message(text: str, **payload: str) -> Message:
    return Message(sender="customer", text=text, payload=payload or None)


def test_a_message_that_says_nothing_keeps_the_language_and_a_choice_sticks() -> None:
    conversation = Conversation(id="c", channel="web", language_chosen=False)
    assert decide(conversation, _message("我的订单呢")) == "zh"
    assert decide(conversation, _message("HP-100123")) == "zh", "an order number says nothing"
    assert decide(conversation, _message("thanks")) == "en"
    assert decide(conversation, _message("thanks", language="zh")) == "zh", "chosen in the widget"
    assert decide(conversation, _message("where is my order")) == "zh", "the choice sticks"


def test_traditional_answers_need_two_traditional_messages_in_a_row() -> None:
    once = [_message("我的訂單呢"), _message("hello")]
    twice = [_message("請問運費多少"), _message("HP-100123"), _message("我的訂單呢")]
    mixed = [_message("請問運費多少"), _message("我的订单呢")]
    assert [writes_traditional(m) for m in (once, twice, mixed)] == [False, True, False]


async def _language_of(sessions, conversation_id: str) -> tuple[str | None, bool]:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        return conversation.language, conversation.language_chosen


async def test_through_the_gateway(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        customer = ChatClient(http, gateway.base_url)
        await customer.connect()
        first = await customer.say("我的訂單到哪裡了")
        assert gateway.rasa_received[-1] == "我的订单到哪里了", "the bot reads Simplified"
        assert first[-1]["text"] == "re: 我的订单到哪里了", "one Traditional message is not yet a habit"
        assert await _language_of(sessions, customer.session_id) == ("zh", False)

        second = await customer.say("請問運費多少")
        assert second[-1]["text"] == "re: 請問運費多少", "answered in Traditional from the second on"
        await customer.say("HP-100123")
        assert await _language_of(sessions, customer.session_id) == ("zh", False)
        await customer.say("where is my order")
        assert await _language_of(sessions, customer.session_id) == ("en", False)

        await customer.send_raw({"type": "message", "client_id": uuid.uuid4().hex, "text": "hi", "language": "zh"})
        while (frame := await customer.receive()) != {"type": "typing", "sender": "bot", "on": False}:
            pass  # until the turn is answered
        assert await _language_of(sessions, customer.session_id) == ("zh", True)
        await customer.send_raw({"type": "message", "client_id": uuid.uuid4().hex, "text": "hi", "language": "fr"})
        while (frame := await customer.receive())["type"] != "error":
            pass
        assert "language must be one of en, zh" in frame["message"]
        await customer.close()


async def test_telegrams_language_code_is_the_first_hint_only(sessions) -> None:  # type: ignore[no-untyped-def]
    router = ConversationRouter(sessions, None, Hub())  # type: ignore[arg-type]  # never asks the bot here
    try:
        conversation_id = await router.open_channel_conversation("tg-42", "telegram", "42", "Li", language_hint="zh")
        assert await _language_of(sessions, conversation_id) == ("zh", False)
        await router.open_channel_conversation("tg-42", "telegram", "42", "Li", language_hint="en")
        assert await _language_of(sessions, conversation_id) == ("zh", False), "a later hint changes nothing"
    finally:
        await router.close()


def test_a_button_press_carries_the_language_rasa_cannot_read_from_a_payload() -> None:
    from handoff.router import with_language

    assert with_language("/greet", "zh") == '/greet{"language":"zh"}'
    assert with_language('/rate{"rating":"4"}', "zh") == '/rate{"rating":"4","language":"zh"}'
    assert with_language("/greet", None) == "/greet" and with_language("/greet", "fr") == "/greet"
    assert with_language("/oops{not json", "zh") == "/oops{not json", "a payload that does not parse goes as it came"
