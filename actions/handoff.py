"""Bringing in a person, and leaving a form when the customer wants out."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
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


def signal(dispatcher: CollectingDispatcher, name: str) -> None:
    """Tell the gateway what happened; its escalation policy (handoff/desk/escalation.yml) decides what follows."""
    dispatcher.utter_message(json_message={"signal": name})


class ActionRequestHuman(DeskbotAction):
    """The customer wants a person (or complained): the gateway queues the conversation for an agent."""

    def name(self) -> str:
        return "action_request_human"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        complaint = tracker.get_intent_of_latest_message() == "complain"
        signal(dispatcher, "complaint" if complaint else "asked_for_agent")
        return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionHandback(DeskbotAction):
    """An agent handed the conversation back: start clean and ask how it went."""

    def name(self) -> str:
        return "action_handback"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=texts.text(domain, "utter_bot_back", texts.language_of(tracker)))
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("proof_attempts", 0.0),
            *(SlotSet(slot, None) for slot in FORM_SLOTS),
        ]


class ActionDefaultFallback(DeskbotAction):
    """The two-stage fallback gave up: say so, and count it as a failed turn for the escalation policy."""

    def name(self) -> str:
        return "action_default_fallback"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_default")
        signal(dispatcher, "bot_failed")
        return [UserUtteranceReverted()]
