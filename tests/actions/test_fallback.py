"""The 'did you mean' fallback: its options in the customer's language, from the catalogue (bot/domain.yml)."""

from __future__ import annotations

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import LABELLED_INTENTS, ActionDefaultAskAffirmation
from knowledge_base import catalogue
from tests.actions.trackers import make_tracker

DOMAIN: dict = {}
UNSURE = {"intent_ranking": [{"name": "order_status", "confidence": 0.45}, {"name": "change_email", "confidence": 0.3}]}


async def _options(text: str, language: str) -> tuple[str, list[dict[str, str]]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "nlu_fallback", slots={"language": language}, parsed=UNSURE)
    await ActionDefaultAskAffirmation().run(dispatcher, tracker, DOMAIN)
    asked = next(message for message in dispatcher.messages if message.get("buttons"))
    return asked["text"], asked["buttons"]


async def test_a_chinese_customer_is_asked_did_you_mean_in_chinese(shop) -> None:
    # Vague enough that the knowledge base only suggests ("account matters" is answered with account creation).
    said, buttons = await _options("账号问题", "zh")
    assert said == "抱歉，我不太确定您的意思。您是想问下面哪一个？"
    assert buttons[:2] == [
        {"title": "查看我的订单到哪了", "payload": "/order_status"},
        {"title": "修改我的邮箱地址", "payload": "/change_email"},
    ]
    assert buttons[-1] == {"title": "都不是", "payload": "/deny"}
    articles = [b for b in buttons if b["payload"].startswith("/ask_faq")]
    assert articles, "the knowledge base's suggestions are among the options"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in b["title"]) for b in articles), "Chinese article titles"


async def test_an_english_customer_is_asked_in_english(shop) -> None:
    said, buttons = await _options("stuff about my account", "en")
    assert said == "Sorry, I'm not sure I understood. Did you mean one of these?"
    assert buttons[:2] == [
        {"title": "Check where my order is", "payload": "/order_status"},
        {"title": "Change my email address", "payload": "/change_email"},
    ]
    assert buttons[-1] == {"title": "Something else", "payload": "/deny"}


def test_every_labelled_intent_has_its_label_in_both_languages_in_the_domain() -> None:
    domain = yaml.safe_load(catalogue.DOMAIN_FILE.read_text(encoding="utf-8"))
    for intent in LABELLED_INTENTS:
        assert intent in domain["intents"], intent
        english = catalogue.text(f"utter_intent_label_{intent}", "en")
        chinese = catalogue.text(f"utter_intent_label_{intent}", "zh")
        assert english and chinese and chinese != english, intent
