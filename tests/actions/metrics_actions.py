"""Two tiny actions for the action server's metrics test: one that answers, one that crashes."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


class ActionMetricsHello(Action):
    def name(self) -> str:
        return "action_metrics_hello"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text="hello")
        return []


class ActionMetricsBoom(Action):
    def name(self) -> str:
        return "action_metrics_boom"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        raise RuntimeError("the test's action fails on purpose")
