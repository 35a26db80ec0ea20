"""What every action shares: a typed base class and the 'something broke' reply."""

from __future__ import annotations

import abc
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import texts
from crm_store.errors import StoreError
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.query_vectors import KnownVectors, entries_in
from knowledge_base.search import KnowledgeBase

logger = logging.getLogger(__name__)

# Errors of our own stack that an action turns into an apology instead of a crash.
BACKEND_ERRORS = (StoreError, KnowledgeBaseError, SQLAlchemyError, OSError)

PERSON_PAYLOAD = "/request_human"


def person_button(domain: dict[str, Any], language: str) -> dict[str, str]:
    """ "Talk to a person" in the conversation's language (the catalogue's utter_button_person)."""
    return {"title": texts.text(domain, "utter_button_person", language), "payload": PERSON_PAYLOAD}


class DeskbotAction(Action, abc.ABC):
    """Abstract, so rasa-sdk never registers it; subclasses implement ``act``."""

    @abc.abstractmethod
    def name(self) -> str: ...

    @abc.abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            return await self.act(dispatcher, tracker, domain)
        except BACKEND_ERRORS:
            logger.exception("%s failed for conversation %s", self.name(), tracker.sender_id)
            language = texts.language_of(tracker)
            dispatcher.utter_message(
                text=texts.text(domain, "utter_trouble_reaching_systems", language),
                buttons=[person_button(domain, language)],
            )
            return []


def known_vectors(knowledge_base: KnowledgeBase, tracker: Tracker) -> KnownVectors:
    """The sentence vectors Rasa's NLU computed for this conversation's messages, so the search need not."""
    return knowledge_base.known_vectors(entries_in(tracker.events))


def last_customer_text(tracker: Tracker, *, skip_latest: bool = False) -> str | None:
    """The newest thing the customer typed (not a button payload)."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if skip_latest and not seen_latest:
            seen_latest = True
            continue
        text = (event.get("text") or "").strip()
        if text and not text.startswith("/"):
            return text
    return None
