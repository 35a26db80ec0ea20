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

# What each intent means to a customer, for "did you mean" buttons.
INTENT_LABELS = {
    "order_status": "Check where my order is",
    "list_orders": "See my recent orders",
    "change_email": "Change my email address",
    "change_phone": "Change my phone number",
    "change_address": "Change my delivery address",
    "request_human": "Talk to a person",
    "complain": "Report a problem",
}
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
            label = INTENT_LABELS.get(ranked.get("name", ""))
            if label and ranked.get("confidence", 0) >= 0.1 and len(buttons) < 2:
                buttons.append({"title": label, "payload": f"/{ranked['name']}"})
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
