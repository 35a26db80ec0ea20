"""Answers from the knowledge base: answer, suggest, or admit it and offer a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import HELPFUL_BUTTONS, PERSON_BUTTON, DeskbotAction, known_vectors, last_customer_text
from actions.handoff import signal
from actions.runtime import runtime, transaction
from crm_store.repositories import ArticleRepository
from knowledge_base.search import SearchHit


def suggestion_buttons(hits: list[SearchHit]) -> list[dict[str, str]]:
    return [{"title": hit.title, "payload": f'/ask_faq{{"article_slug":"{hit.slug}"}}'} for hit in hits] + [
        PERSON_BUTTON
    ]


def answer_outright(dispatcher: CollectingDispatcher, hits: list[SearchHit]) -> list[dict[str, Any]]:
    """Each article's answer (two for a message that asked two things), then "did that answer it?"."""
    for hit in hits:
        dispatcher.utter_message(text=hit.answer)
    asked = "Did that answer your question?" if len(hits) == 1 else "Did that answer your questions?"
    dispatcher.utter_message(text=asked, buttons=HELPFUL_BUTTONS)
    return [SlotSet("article_slug", hits[0].slug)]


async def show_article(dispatcher: CollectingDispatcher, slug: str) -> list[dict[str, Any]]:
    """A suggestion the customer picked: its answer, by slug."""
    async with transaction() as session:
        article = await ArticleRepository(session).by_slug(slug)
    if article is None or article.status != "published":
        dispatcher.utter_message(text="Sorry, I can't find that article any more. What would you like to know?")
        return [SlotSet("article_slug", None)]
    dispatcher.utter_message(text=article.answer)
    dispatcher.utter_message(text="Did that answer your question?", buttons=HELPFUL_BUTTONS)
    return [SlotSet("article_slug", article.slug)]


class ActionAnswerQuestion(DeskbotAction):
    def name(self) -> str:
        return "action_answer_question"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        chosen = next(tracker.get_latest_entity_values("article_slug"), None)
        if chosen:
            return await show_article(dispatcher, str(chosen))
        question = last_customer_text(tracker)
        if not question:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        knowledge_base = (await runtime()).knowledge_base
        outcome = await knowledge_base.answer(question, known=known_vectors(knowledge_base, tracker))
        if outcome.verdict == "answer":
            return answer_outright(dispatcher, outcome.hits)
        if outcome.verdict == "suggest":
            dispatcher.utter_message(
                text="I'm not completely sure I understood. Is it one of these?",
                buttons=suggestion_buttons(outcome.hits),
            )
            return [SlotSet("article_slug", None)]
        if tracker.get_intent_of_latest_message() == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
        else:
            dispatcher.utter_message(text="I'm sorry, I don't have an answer to that one.")
            signal(dispatcher, "bot_failed")
        dispatcher.utter_message(text="Would you like me to bring in a person from our team?", buttons=[PERSON_BUTTON])
        return [SlotSet("article_slug", None)]


class ActionHandleUnhelpful(DeskbotAction):
    """The answer missed: offer the next-best articles for the same question, and a person."""

    def name(self) -> str:
        return "action_handle_unhelpful"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = last_customer_text(tracker, skip_latest=True)
        shown = tracker.get_slot("article_slug")
        alternatives: list[SearchHit] = []
        if question:
            knowledge_base = (await runtime()).knowledge_base
            hits = await knowledge_base.search(question, limit=4, known=known_vectors(knowledge_base, tracker))
            alternatives = [hit for hit in hits if hit.slug != shown and hit.score >= knowledge_base.suggest_threshold][
                :3
            ]
        if alternatives:
            dispatcher.utter_message(
                text="Sorry about that. Maybe one of these is closer?", buttons=suggestion_buttons(alternatives)
            )
        else:
            dispatcher.utter_message(
                text="Sorry about that. A person from our team can help with this.", buttons=[PERSON_BUTTON]
            )
            signal(dispatcher, "bot_failed")
        return [SlotSet("article_slug", None)]
