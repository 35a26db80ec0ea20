"""Answers from the knowledge base: answer, suggest, or admit it and offer a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.base import DeskbotAction, known_vectors, last_customer_text, person_button
from actions.handoff import signal
from actions.runtime import runtime, transaction
from crm_store.repositories import ArticleRepository
from knowledge_base.chinese import chinese_view
from knowledge_base.language import CHINESE, detect
from knowledge_base.search import SearchHit
from knowledge_base.store import article_data


def suggestion_buttons(hits: list[SearchHit], domain: dict[str, Any], language: str) -> list[dict[str, str]]:
    return [{"title": hit.title, "payload": f'/ask_faq{{"article_slug":"{hit.slug}"}}'} for hit in hits] + [
        person_button(domain, language)
    ]


def say_answer(dispatcher: CollectingDispatcher, answer: str, domain: dict[str, Any], language: str) -> None:
    """An article's answer; a Chinese-speaking customer is told first when it has no Chinese version."""
    if language == CHINESE and detect(answer).language != CHINESE:
        dispatcher.utter_message(text=texts.text(domain, "utter_only_in_english", language))
    dispatcher.utter_message(text=answer)


def ask_if_it_helped(dispatcher: CollectingDispatcher, domain: dict[str, Any], language: str, answers: int) -> None:
    asked = "utter_did_that_answer" if answers == 1 else "utter_did_those_answer"
    dispatcher.utter_message(
        text=texts.text(domain, asked, language), buttons=texts.buttons(domain, "utter_did_that_answer", language)
    )


def answer_outright(
    dispatcher: CollectingDispatcher, hits: list[SearchHit], domain: dict[str, Any], language: str
) -> list[dict[str, Any]]:
    """Each article's answer (two for a message that asked two things), then "did that answer it?"."""
    for hit in hits:
        say_answer(dispatcher, hit.answer, domain, language)
    ask_if_it_helped(dispatcher, domain, language, len(hits))
    return [SlotSet("article_slug", hits[0].slug)]


async def show_article(
    dispatcher: CollectingDispatcher, slug: str, domain: dict[str, Any], language: str
) -> list[dict[str, Any]]:
    """A suggestion the customer picked: its answer, by slug, in the customer's language when it has one."""
    async with transaction() as session:
        article = await ArticleRepository(session).by_slug(slug)
    if article is None or article.status != "published":
        dispatcher.utter_message(text=texts.text(domain, "utter_article_gone", language))
        return [SlotSet("article_slug", None)]
    shown = chinese_view(article_data(article)) if language == CHINESE else article_data(article)
    say_answer(dispatcher, shown.answer, domain, language)
    ask_if_it_helped(dispatcher, domain, language, 1)
    return [SlotSet("article_slug", article.slug)]


class ActionAnswerQuestion(DeskbotAction):
    def name(self) -> str:
        return "action_answer_question"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = texts.language_of(tracker)
        chosen = next(tracker.get_latest_entity_values("article_slug"), None)
        if chosen:
            return await show_article(dispatcher, str(chosen), domain, language)
        question = last_customer_text(tracker)
        if not question:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        knowledge_base = (await runtime()).knowledge_base_for(language)
        outcome = await knowledge_base.answer(question, known=known_vectors(knowledge_base, tracker))
        if outcome.verdict == "answer":
            return answer_outright(dispatcher, outcome.hits, domain, language)
        if outcome.verdict == "suggest":
            dispatcher.utter_message(
                text=texts.text(domain, "utter_is_it_one_of_these", language),
                buttons=suggestion_buttons(outcome.hits, domain, language),
            )
            return [SlotSet("article_slug", None)]
        if tracker.get_intent_of_latest_message() == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
        else:
            dispatcher.utter_message(text=texts.text(domain, "utter_no_answer", language))
            signal(dispatcher, "bot_failed")
        dispatcher.utter_message(
            text=texts.text(domain, "utter_offer_person", language), buttons=[person_button(domain, language)]
        )
        return [SlotSet("article_slug", None)]


class ActionHandleUnhelpful(DeskbotAction):
    """The answer missed: offer the next-best articles for the same question, and a person."""

    def name(self) -> str:
        return "action_handle_unhelpful"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = texts.language_of(tracker)
        question = last_customer_text(tracker, skip_latest=True)
        shown = tracker.get_slot("article_slug")
        alternatives: list[SearchHit] = []
        if question:
            knowledge_base = (await runtime()).knowledge_base_for(language)
            hits = await knowledge_base.search(question, limit=4, known=known_vectors(knowledge_base, tracker))
            alternatives = [hit for hit in hits if hit.slug != shown and hit.score >= knowledge_base.suggest_threshold][
                :3
            ]
        if alternatives:
            dispatcher.utter_message(
                text=texts.text(domain, "utter_closer_alternatives", language),
                buttons=suggestion_buttons(alternatives, domain, language),
            )
        else:
            dispatcher.utter_message(
                text=texts.text(domain, "utter_person_can_help", language), buttons=[person_button(domain, language)]
            )
            signal(dispatcher, "bot_failed")
        return [SlotSet("article_slug", None)]
