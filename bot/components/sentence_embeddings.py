"""A Rasa featurizer that adds sentence-transformers embeddings as dense sentence features.

DIET then sees the meaning of the whole message (the same offline model the
knowledge base uses) beside the sparse word and character n-grams, which helps
most when there are few examples per intent and for phrasings not seen in
training.
"""

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

from knowledge_base.embedding import POOLINGS, Embedder
from knowledge_base.language import DEFAULT_LANGUAGE, detect
from knowledge_base.query_vectors import PARSE_DATA_KEY, packed

logger = logging.getLogger(__name__)

# One model per process however many pipelines (e.g. during a model swap) use it.
_EMBEDDERS: dict[str, Embedder] = {}


def shared_embedder(model: str) -> Embedder:
    if model not in _EMBEDDERS:
        _EMBEDDERS[model] = Embedder(model)
    return _EMBEDDERS[model]


def in_languages(text: str, languages: list[str]) -> bool:
    """Whether ``text`` is in one of ``languages`` (a text in no language, like "HP-100123", counts as English)."""
    return (detect(text).language or DEFAULT_LANGUAGE) in languages


def to_embed(messages: list[Message], languages: list[str], width: int, identifier: str) -> list[Message]:
    """The messages with a text in ``languages``, to embed; every other message with a text gets ``width``
    zeros now, so all carry the same sentence features."""
    texts = [message for message in messages if message.get(TEXT)]
    chosen = [message for message in texts if in_languages(message.get(TEXT), languages)]
    picked = {id(message) for message in chosen}
    zeros = np.zeros((1, width), dtype=np.float32)
    for message in texts:
        if id(message) not in picked:
            message.add_features(Features(zeros, FEATURE_TYPE_SENTENCE, TEXT, identifier))
    return chosen


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "model": "all-MiniLM-L6-v2",
            # Mean pooling is the model's sentence embedding; the max over tokens adds which words stand out
            # (BANKING77: +0.5 points with all the data, +0.3 with 10 examples an intent).
            "pooling": ["mean", "max"],
            "batch_size": 64,
            # Messages in other languages (knowledge_base.language) get zeros: an English model reads Chinese as
            # noise, and the multilingual featurizer covers them.
            "languages": ["en", "zh"],
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sentence_transformers"]

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self.embedder = shared_embedder(self._config["model"])

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
        if not isinstance(config.get("model"), str) or not config["model"]:
            raise ValueError("SentenceEmbeddingFeaturizer needs a 'model' name")
        pooling = config.get("pooling")
        if not isinstance(pooling, list) or not pooling or not set(pooling) <= set(POOLINGS):
            raise ValueError(f"SentenceEmbeddingFeaturizer 'pooling' must be a list drawn from {list(POOLINGS)}")

    def _featurize(self, messages: list[Message], *, pass_on: bool = False) -> None:
        """Adds the dense features; with ``pass_on``, also the sentence vector for the knowledge-base search."""
        poolings = self._config["pooling"]
        width = self.embedder.dimensions * len(poolings)
        todo = to_embed(messages, self._config["languages"], width, self._identifier)
        vectors = self.embedder.encode_pooled(
            [message.get(TEXT) for message in todo], poolings, batch_size=self._config["batch_size"]
        )
        mean = poolings.index("mean") if pass_on and "mean" in poolings else None
        for message, vector in zip(todo, vectors, strict=True):
            message.add_features(
                Features(
                    np.expand_dims(vector, 0),
                    FEATURE_TYPE_SENTENCE,
                    TEXT,
                    self._identifier,
                )
            )
            if mean is not None and not message.get(TEXT).startswith("/"):  # "/intent" payloads are never searched
                width = len(vector) // len(poolings)
                sentence = vector[mean * width : (mean + 1) * width]
                message.set(
                    PARSE_DATA_KEY, packed(self.embedder.model_name, message.get(TEXT), sentence), add_to_output=True
                )

    def process(self, messages: list[Message]) -> list[Message]:
        # A message being parsed: its vector travels in the parse data, so the actions need not embed it again.
        self._featurize(messages, pass_on=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        logger.info("embedding %d training examples", len(training_data.training_examples))
        self._featurize(training_data.training_examples)
        return training_data
