"""Bringing in a person, and leaving a form when the customer wants out."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import DeskbotAction

FORM_SLOTS = ("order_number", "ownership_proof", "new_email", "new_phone", "new_address", "confirm_change")


class ActionStopForm(DeskbotAction):
    def name(self) -> str:
        return "action_stop_form"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_intent_of_latest_message() == "stop":
            dispatcher.utter_message(response="utter_form_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *(SlotSet(slot, None) for slot in FORM_SLOTS)]


class ActionRequestHuman(DeskbotAction):
    """Until the live agent queue exists, tell the customer how to reach the team."""

    def name(self) -> str:
        return "action_request_human"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text="Our support team is available by chat and phone Monday to Friday 8:00-20:00 and Saturday "
            "9:00-17:00 (Eastern), and by email at support@harborandpine.com (replies within 24 hours)."
        )
        return []
