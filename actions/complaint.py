"""A complaint: the article's steps when one answers it, and always the offer of a person.

"The item arrived broken, what now?" is read as a complaint, and a complaint used to go
straight to the queue. Outside business hours that left the customer with nothing until
an agent came in, while an article already said what to do. Now the customer gets those
steps at once and chooses whether a person should look into it too; with no article that
answers, the complaint is queued as before.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.base import DeskbotAction, known_vectors, last_customer_text, person_button
from actions.handoff import FORM_SLOTS, signal
from actions.runtime import runtime


class ActionHandleComplaint(DeskbotAction):
    def name(self) -> str:
        return "action_handle_complaint"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = last_customer_text(tracker)
        language = texts.language_of(tracker)
        knowledge_base = (await runtime()).knowledge_base_for(language)
        known = known_vectors(knowledge_base, tracker)
        outcome = await knowledge_base.answer(text, known=known) if text else None
        if outcome is not None and outcome.verdict == "answer":
            dispatcher.utter_message(text=texts.text(domain, "utter_complaint_right_away", language))
            for hit in outcome.hits:
                dispatcher.utter_message(text=hit.answer)
            solved = {"title": texts.text(domain, "utter_button_that_solves_it", language), "payload": "/helpful"}
            dispatcher.utter_message(
                text=texts.text(domain, "utter_complaint_sorted_or_person", language),
                buttons=[solved, person_button(domain, language)],
            )
            return [SlotSet("article_slug", outcome.hits[0].slug)]
        dispatcher.utter_message(response="utter_complaint_sorry")
        signal(dispatcher, "complaint")
        return [SlotSet(slot, None) for slot in FORM_SLOTS]
