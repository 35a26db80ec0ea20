"""Conversation ratings (CSAT, 1-5), stored on the conversation."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.base import DeskbotAction
from actions.identity import identity
from actions.runtime import transaction
from crm_store.repositories import ConversationRepository

RATING = re.compile(r"[1-5]")


def parse_rating(value: Any) -> int | None:
    match = RATING.search(str(value or ""))
    return int(match.group(0)) if match else None


class ActionStoreRating(DeskbotAction):
    def name(self) -> str:
        return "action_store_rating"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        rating = parse_rating(next(tracker.get_latest_entity_values("rating"), None) or tracker.get_slot("rating"))
        if rating is None:
            dispatcher.utter_message(
                text=texts.text(domain, "utter_rate_1_to_5", texts.language_of(tracker)),
                buttons=[{"title": str(n), "payload": f'/rate{{"rating":"{n}"}}'} for n in range(5, 0, -1)],
            )
            return []
        who = identity(tracker)
        async with transaction() as session:
            repository = ConversationRepository(session)
            conversation = await repository.get_or_create(tracker.sender_id, who.channel, customer_id=who.customer_id)
            await repository.set_rating(conversation, rating)
        dispatcher.utter_message(response="utter_thanks_for_rating")
        return [SlotSet("rating", None)]
