"""Tells the dialogue which language to answer in: a ``language`` entity on every parsed message.

The gateway decides the language (knowledge_base.language, the customer's choice in the widget, Telegram's
hint) and sends it as message metadata; without it (``rasa shell``, tests of the bare bot) the message's
script decides. The slot ``language`` is filled from this entity on every turn, and responses have a
Chinese variation conditioned on it. The entity influences no prediction (domain: influence_conversation).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge_base.language import DEFAULT_LANGUAGE, LANGUAGES, detect

ENTITY = "language"


def message_language(message: Message) -> str | None:
    """The gateway's decision (metadata); else the script of a typed text; None for a payload ("/greet")."""
    metadata = message.get("metadata") or {}
    chosen = metadata.get("language") if isinstance(metadata, dict) else None
    if chosen in LANGUAGES:
        return str(chosen)
    text = message.get(TEXT) or ""
    if not text or text.startswith("/"):
        return None
    return detect(text).language or DEFAULT_LANGUAGE


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageEntityExtractor(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            language = message_language(message)
            if language is None:
                continue  # a button's payload without the gateway's word: the slot keeps what it has
            entity = {"entity": ENTITY, "value": language, "start": 0, "end": 0, "confidence": 1.0}
            entities = [*message.get(ENTITIES, []), self.add_extractor_name([entity])[0]]
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


__all__ = ["ENTITY", "LanguageEntityExtractor", "message_language"]
