"""An intent classifier: multinomial logistic regression over every featurizer's sentence features.

Why not DIET: with the sentence embeddings already carrying the meaning of a
message, a linear model over [word n-grams | character n-grams | regex matches |
embedding] is as accurate (BANKING77: see BENCHMARKS.md), trains in seconds
instead of minutes and answers in well under a millisecond. Each featurizer's
block is scaled on its own (log of the counts, unit length) so that no block
wins merely by having more columns; ``dense_weight`` sets how much the
embedding counts against the lexical blocks.

The trained model is plain arrays in an ``.npz`` file: loading a model never
unpickles code.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)
MODEL_FILE = "linear_intent_classifier.npz"


def sentence_blocks(message: Message) -> dict[str, Any]:
    """The message's sentence features, one block per featurizer, keyed by the featurizer's name."""
    blocks: dict[str, Any] = {}
    for features in message.features:
        if features.attribute == TEXT and features.type == FEATURE_TYPE_SENTENCE:
            origin = features.origin if isinstance(features.origin, str) else ",".join(features.origin or [])
            blocks[origin or ("dense" if features.is_dense() else "sparse")] = features.features
    return blocks


def _scaled_sparse(block: Any) -> scipy.sparse.csr_matrix:
    matrix = scipy.sparse.csr_matrix(block, dtype=np.float64)
    matrix.data = np.log1p(np.abs(matrix.data))
    norm = np.sqrt(matrix.multiply(matrix).sum())
    return matrix / norm if norm > 0 else matrix


def _scaled_dense(block: Any, weight: float) -> scipy.sparse.csr_matrix:
    vector = np.asarray(block, dtype=np.float64).reshape(1, -1)
    norm = np.linalg.norm(vector)
    return scipy.sparse.csr_matrix(vector * (weight / norm if norm > 0 else 0.0))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Inverse regularisation strength; lower for noisier data.
            "C": 10.0,
            # How much the dense sentence embedding counts against each (unit-length) lexical block.
            "dense_weight": 2.5,
            "max_iter": 1000,
            "ranking_length": 10,
        }

    def __init__(self, config: dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        self.component_config = {**self.get_default_config(), **config}
        self.name = name
        self._model_storage = model_storage
        self._resource = resource
        self.block_layout: list[tuple[str, int, bool]] = []  # (featurizer, width, sparse?) in column order
        self.intents: np.ndarray = np.array([], dtype=object)
        self.weights: np.ndarray | None = None
        self.bias: np.ndarray | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, execution_context.node_name, model_storage, resource)

    # -- features -------------------------------------------------------------------------------

    def _row(self, message: Message) -> scipy.sparse.csr_matrix:
        """One message as a row in the trained column layout; a missing block is zeros."""
        blocks = sentence_blocks(message)
        parts = []
        for origin, width, is_sparse in self.block_layout:
            block = blocks.get(origin)
            if block is None or block.shape[-1] != width:
                parts.append(scipy.sparse.csr_matrix((1, width)))
            elif is_sparse:
                parts.append(_scaled_sparse(block))
            else:
                parts.append(_scaled_dense(block, self.component_config["dense_weight"]))
        return scipy.sparse.hstack(parts, format="csr")

    def _learn_layout(self, messages: list[Message]) -> None:
        layout: dict[str, tuple[int, bool]] = {}
        for message in messages:
            for origin, block in sentence_blocks(message).items():
                layout.setdefault(origin, (block.shape[-1], scipy.sparse.issparse(block)))
        self.block_layout = [(origin, width, is_sparse) for origin, (width, is_sparse) in sorted(layout.items())]

    # -- training and prediction ----------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [example for example in training_data.intent_examples if example.get(INTENT) and example.get(TEXT)]
        labels = sorted({example.get(INTENT) for example in examples})
        if len(labels) < 2:
            logger.warning("LinearIntentClassifier needs at least two intents with examples; it stays untrained")
            return self._resource
        self._learn_layout(examples)
        features = scipy.sparse.vstack([self._row(example) for example in examples], format="csr")
        logger.info("training on %d examples, %d intents, %d features", len(examples), len(labels), features.shape[1])
        model = LogisticRegression(
            C=self.component_config["C"], max_iter=self.component_config["max_iter"], multi_class="multinomial"
        )
        model.fit(features, [example.get(INTENT) for example in examples])
        self.intents = model.classes_
        self.weights = model.coef_.T.astype(np.float32)
        self.bias = model.intercept_.astype(np.float32)
        self.persist()
        return self._resource

    def probabilities(self, messages: list[Message]) -> np.ndarray:
        assert self.weights is not None and self.bias is not None
        features = scipy.sparse.vstack([self._row(message) for message in messages], format="csr")
        scores = np.asarray(features @ self.weights) + self.bias
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def process(self, messages: list[Message]) -> list[Message]:
        todo = [message for message in messages if message.get(TEXT)]
        if self.weights is None or not todo:
            return messages
        ranking_length = self.component_config["ranking_length"]
        for message, probabilities in zip(todo, self.probabilities(todo), strict=True):
            order = np.argsort(-probabilities)
            if ranking_length > 0:
                order = order[:ranking_length]
            ranking = [{"name": str(self.intents[i]), "confidence": float(probabilities[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    # -- persistence ----------------------------------------------------------------------------

    def persist(self) -> None:
        assert self.weights is not None and self.bias is not None, "persist() comes after train()"
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(
                directory / MODEL_FILE,
                intents=self.intents.astype(str),
                weights=self.weights,
                bias=self.bias,
                layout_origins=np.array([origin for origin, _, _ in self.block_layout], dtype=str),
                layout_widths=np.array([width for _, width, _ in self.block_layout], dtype=np.int64),
                layout_sparse=np.array([is_sparse for _, _, is_sparse in self.block_layout], dtype=bool),
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory, np.load(directory / MODEL_FILE) as saved:
                component.intents = saved["intents"].astype(object)
                component.weights = saved["weights"]
                component.bias = saved["bias"]
                component.block_layout = [
                    (str(origin), int(width), bool(is_sparse))
                    for origin, width, is_sparse in zip(
                        saved["layout_origins"], saved["layout_widths"], saved["layout_sparse"], strict=True
                    )
                ]
        except (ValueError, FileNotFoundError):
            logger.warning("LinearIntentClassifier found no trained model in %s; it predicts nothing", resource.name)
        return component
