from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.complaint import ActionHandleComplaint
from actions.fallback import ActionDefaultAskAffirmation
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


async def test_two_questions_in_one_message_get_both_answers(shop) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerQuestion().run(
        dispatcher,
        make_tracker("how long do refunds take to show up? also can i pay with paypal", "ask_faq"),
        DOMAIN,
    )
    texts = [message.get("text") or "" for message in dispatcher.messages]
    assert "5-10 business days" in texts[0] and "PayPal" in texts[1]
    assert texts[2] == "Did that answer your questions?"
    assert events[0]["value"]


async def test_two_questions_neither_answered_outright_offer_a_choice_of_both_topics(shop) -> None:
    knowledge_base = shop.knowledge_base
    parts = ["how long do refunds take to show up?", "can i pay with paypal"]
    leads = [(await knowledge_base.search(part, limit=1))[0].slug for part in parts]
    strict = type(knowledge_base)(
        knowledge_base.session_factory, knowledge_base.embedder, answer_threshold=0.99, suggest_threshold=0.3
    )
    outcome = await strict.answer(" ".join(parts))
    assert outcome.verdict == "suggest"
    assert [hit.slug for hit in outcome.hits[:2]] == leads


async def test_a_complaint_an_article_answers_gets_its_steps_and_the_offer_of_a_person(shop) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionHandleComplaint().run(
        dispatcher,
        make_tracker("my order arrived damaged, the box was crushed and the mug is broken", "complain"),
        DOMAIN,
    )
    texts = [message.get("text") or "" for message in dispatcher.messages]
    assert texts[0].startswith("I'm really sorry")
    assert events[0]["value"] == "damaged-wrong-or-missing-items"
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == ["/helpful", "/request_human"]
    assert not [m for m in dispatcher.messages if m.get("custom")], "nobody is queued unless the customer asks"


async def test_a_complaint_no_article_answers_is_queued_for_a_person(shop) -> None:
    dispatcher = CollectingDispatcher()
    await ActionHandleComplaint().run(
        dispatcher, make_tracker("your driver was extremely rude to my grandmother", "complain"), DOMAIN
    )
    assert dispatcher.messages[0]["response"] == "utter_complaint_sorry"
    assert dispatcher.messages[1]["custom"] == {"signal": "complaint"}


async def test_the_fallback_answers_only_by_the_knowledge_bases_own_rule(shop) -> None:
    # "my account thing" scores above the answer threshold, but two account articles tie: not an answer.
    dispatcher = CollectingDispatcher()
    await ActionDefaultAskAffirmation().run(dispatcher, make_tracker("my account thing", "nlu_fallback"), DOMAIN)
    offered = [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]
    assert any(payload.startswith('/ask_faq{"article_slug"') for payload in offered), dispatcher.messages
    assert offered[-1] == "/deny"


async def test_a_chinese_question_is_answered_from_the_chinese_article_in_chinese(shop) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerQuestion().run(
        dispatcher, make_tracker("退货退款一般要多久才能到账？", "ask_faq", slots={"language": "zh"}), DOMAIN
    )
    assert events[0]["value"] == "refund-timeline", events
    assert "5-10 个工作日" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[-1]["text"] == "这个回答解决您的问题了吗？"
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == ["/helpful", "/not_helpful"]


async def test_a_vague_chinese_question_gets_chinese_suggestions_and_a_person(shop) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerQuestion().run(dispatcher, make_tracker("账号问题", "ask_faq", slots={"language": "zh"}), DOMAIN)
    last = dispatcher.messages[-1]
    assert any(b["payload"].startswith("/ask_faq") for b in last["buttons"]), dispatcher.messages
    assert last["buttons"][-1] == {"title": "转人工客服", "payload": "/request_human"}, dispatcher.messages


async def test_a_chinese_customer_who_picks_an_article_reads_its_chinese_version(shop) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerQuestion().run(
        dispatcher,
        make_tracker(
            '/ask_faq{"article_slug":"cancel-an-order"}',
            "ask_faq",
            entities=[{"entity": "article_slug", "value": "cancel-an-order"}],
            slots={"language": "zh"},
        ),
        DOMAIN,
    )
    assert "取消" in dispatcher.messages[0]["text"] and "Cancel order" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[1]["text"] == "这个回答解决您的问题了吗？"
