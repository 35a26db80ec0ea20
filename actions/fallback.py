"""The first stage of the two-stage fallback: 'did you mean …?' with concrete options."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.base import DeskbotAction, known_vectors, last_customer_text
from actions.faq import answer_outright
from actions.handoff import signal
from actions.runtime import runtime

# The intents a "did you mean" button may offer; what each means to a customer is the catalogue's
# utter_intent_label_<intent> (bot/domain.yml), in the conversation's language.
LABELLED_INTENTS = (
    "order_status",
    "list_orders",
    "change_email",
    "change_phone",
    "change_address",
    "request_human",
    "complain",
)
MAX_OPTIONS = 3


class ActionDefaultAskAffirmation(DeskbotAction):
    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = last_customer_text(tracker)
        language = texts.language_of(tracker)
        knowledge_base = (await runtime()).knowledge_base_for(language)
        known = known_vectors(knowledge_base, tracker)
        outcome = await knowledge_base.answer(text, suggestions=MAX_OPTIONS, known=known) if text else None
        if outcome is not None and outcome.verdict == "answer":
            # NLU was unsure, but the knowledge base is sure by its own rule: a question worded unusually.
            return answer_outright(dispatcher, outcome.hits, domain, language)
        hits = outcome.hits if outcome is not None else []
        buttons: list[dict[str, str]] = []
        for ranked in tracker.latest_message.get("intent_ranking") or []:
            intent = ranked.get("name", "")
            if intent in LABELLED_INTENTS and ranked.get("confidence", 0) >= 0.1 and len(buttons) < 2:
                label = texts.text(domain, f"utter_intent_label_{intent}", language)
                buttons.append({"title": label, "payload": f"/{intent}"})
        for hit in hits:
            if hit.score >= knowledge_base.suggest_threshold and len(buttons) < MAX_OPTIONS:
                buttons.append({"title": hit.title, "payload": f'/ask_faq{{"article_slug":"{hit.slug}"}}'})
        # Not understanding counts as a failed turn even while we clarify: twice in a row brings in a person.
        signal(dispatcher, "bot_failed")
        if not buttons:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        buttons.append({"title": texts.text(domain, "utter_button_something_else", language), "payload": "/deny"})
        dispatcher.utter_message(text=texts.text(domain, "utter_did_you_mean", language), buttons=buttons)
        return []
