"""The customer's real question in a transcript: what the queue previews and the review shows."""

from __future__ import annotations

from typing import Any

from crm_store.models import Message
from handoff.learning.exchange import exchange, real_question


def _message(sender: str, text: str, payload: dict[str, Any] | None = None) -> Message:
    return Message(sender=sender, text=text, payload=payload, channel="web")


def test_a_request_for_a_person_a_button_and_a_thanks_are_not_the_question() -> None:
    chat = [
        _message("customer", "hi"),
        _message("bot", "Hello! How can I help?"),
        _message("customer", "do you accept amex"),
        _message("bot", "You can pay in three instalments with Klarna."),
        _message("bot", "Did that answer your question?"),
        _message("customer", "👎 Not really", {"quick_reply": "/not_helpful"}),
        _message("customer", "I want to talk to a person"),
        _message("customer", "thanks"),
    ]
    found = exchange(chat)
    assert found is not None and found.question.text == "do you accept amex"
    assert found.bot_replies == ("You can pay in three instalments with Klarna.", "Did that answer your question?")


def test_the_bots_own_signal_marks_a_request_for_a_person_whatever_its_words() -> None:
    chat = [
        _message("customer", "where is my refund"),
        _message("customer", "get me out of here", {"asked_for_agent": True}),
    ]
    assert real_question(chat).text == "where is my refund"  # type: ignore[union-attr]


def test_a_chinese_request_for_a_person_is_not_the_question_either() -> None:
    chat = [
        _message("customer", "退货以后多久能拿到退款？"),
        _message("bot", "仓库收到并检查您的退货后，我们会在 5-10 个工作日内办理退款。"),
        _message("customer", "我想找人工客服"),
        _message("customer", "谢谢！"),
    ]
    assert real_question(chat).text == "退货以后多久能拿到退款？"  # type: ignore[union-attr]
    long = "上次人工客服说我的帐篷拉链坏了可以保修，但是门店说不行，到底能不能保修？"
    assert real_question([_message("customer", long), _message("customer", "转人工")]).text == long  # type: ignore[union-attr]


def test_a_long_message_that_mentions_a_person_is_still_a_question() -> None:
    text = "my tent zipper broke and the person at the store said it is covered by the warranty, is it?"
    assert real_question([_message("customer", text), _message("customer", "human please")]).text == text  # type: ignore[union-attr]


def test_with_nothing_else_the_last_thing_typed_is_shown() -> None:
    chat = [_message("customer", "can a human help me with a price question"), _message("bot", "Connecting you.")]
    assert real_question(chat).text == "can a human help me with a price question"  # type: ignore[union-attr]
    assert real_question([_message("bot", "Hello!")]) is None
