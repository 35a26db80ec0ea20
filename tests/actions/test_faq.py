from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerQuestion, ActionHandleUnhelpful
from tests.actions.trackers import make_tracker

DOMAIN: dict = {}


async def test_a_clear_question_gets_the_article_and_did_it_help_buttons(shop) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerQuestion().run(
        dispatcher, make_tracker("how long do refunds take to show up?", "ask_faq"), DOMAIN
    )
    assert "5-10 business days" in dispatcher.messages[0]["text"]
    assert [button["payload"] for button in dispatcher.messages[1]["buttons"]] == ["/helpful", "/not_helpful"]
    assert events == [{"event": "slot", "timestamp": None, "name": "article_slug", "value": events[0]["value"]}]
    assert events[0]["value"]


async def test_a_vague_question_gets_suggestions_that_open_articles(shop) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerQuestion().run(dispatcher, make_tracker("stuff about my account", "ask_faq"), DOMAIN)
    buttons = dispatcher.messages[-1]["buttons"]
    assert 2 <= len(buttons) <= 4
    assert all(button["payload"].startswith('/ask_faq{"article_slug":') for button in buttons[:-1])
    assert buttons[-1]["payload"] == "/request_human"

    chosen = buttons[0]["payload"].split('"article_slug":"')[1].rstrip('"}')
    follow = CollectingDispatcher()
    await ActionAnswerQuestion().run(
        follow,
        make_tracker(buttons[0]["payload"], "ask_faq", entities=[{"entity": "article_slug", "value": chosen}]),
        DOMAIN,
    )
    assert follow.messages[0]["text"] and "Did that answer" in follow.messages[1]["text"]


async def test_nothing_close_says_so_and_offers_a_person(shop) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerQuestion().run(
        dispatcher, make_tracker("who won the football world cup in 1966", "out_of_scope"), DOMAIN
    )
    assert dispatcher.messages[0]["response"] == "utter_out_of_scope"
    assert dispatcher.messages[1]["buttons"] == [{"title": "Talk to a person", "payload": "/request_human"}]


async def test_an_unhelpful_answer_offers_other_articles_not_the_same_one(shop) -> None:
    question = "how long do refunds take to show up?"
    first = CollectingDispatcher()
    events = await ActionAnswerQuestion().run(first, make_tracker(question, "ask_faq"), DOMAIN)
    shown = events[0]["value"]
    assert shown, "the question is answered outright first"
    dispatcher = CollectingDispatcher()
    await ActionHandleUnhelpful().run(
        dispatcher,
        make_tracker("that didn't help", "not_helpful", slots={"article_slug": shown}, previous_texts=(question,)),
        DOMAIN,
    )
    payloads = [button["payload"] for button in dispatcher.messages[0]["buttons"]]
    assert payloads[-1] == "/request_human"
    assert all(shown not in payload for payload in payloads)
