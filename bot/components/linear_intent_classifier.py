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

Why a hand-written fit rather than scikit-learn's ``LogisticRegression``: the
embedding columns are dense (every message has all of them), and scikit-learn
takes one matrix, so they travelled as 80% of the non-zeros of a sparse matrix
through every L-BFGS iteration; with BANKING77's 10,003 examples the fit took
about three quarters of the pipeline's 495 s of training (profile: docs/perf/). Here the sparse
n-gram columns and the dense embedding columns are multiplied separately (the
dense part as a BLAS product), in float32, and L-BFGS stops after
``max_iter`` iterations: accuracy on a validation split levels off well
before the objective converges (see BENCHMARKS.md, issue 12).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import scipy.optimize
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


def fit_softmax(
    sparse: scipy.sparse.csr_matrix, dense: np.ndarray, labels: np.ndarray, n_classes: int, C: float, max_iter: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Multinomial logistic regression, L2-penalised as scikit-learn's (C * log-loss + |W|^2 / 2), by L-BFGS.

    Returns the weights of the sparse columns, of the dense columns, and the biases (float32).
    """
    sparse = scipy.sparse.csr_matrix(sparse, dtype=np.float32)
    sparse_t = sparse.T.tocsr()  # X^T @ G is as fast as X @ W only with X^T stored row-wise
    dense = np.ascontiguousarray(dense, dtype=np.float32)
    rows = np.arange(sparse.shape[0])
    n_sparse, n_dense = sparse.shape[1] * n_classes, dense.shape[1] * n_classes

    def loss_and_gradient(w: np.ndarray) -> tuple[float, np.ndarray]:
        w32 = w.astype(np.float32)
        scores = (
            sparse @ w32[:n_sparse].reshape(-1, n_classes)
            + dense @ w32[n_sparse : n_sparse + n_dense].reshape(-1, n_classes)
            + w32[n_sparse + n_dense :]
        )
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        total = exp.sum(axis=1)
        log_loss = float(np.log(total).sum(dtype=np.float64) - scores[rows, labels].sum(dtype=np.float64))
        residual = exp / total[:, None]  # the softmax, minus one at each example's own class
        residual[rows, labels] -= 1.0
        weights = w[: n_sparse + n_dense]
        gradient = np.concatenate(
            [(sparse_t @ residual).ravel(), (dense.T @ residual).ravel(), residual.sum(axis=0)]
        ).astype(np.float64)
        gradient *= C
        gradient[: n_sparse + n_dense] += weights
        return C * log_loss + 0.5 * float(weights @ weights), gradient

    start = np.zeros(n_sparse + n_dense + n_classes)
    # L-BFGS keeps `maxcor` pairs of vectors as long as the weights (2.4 million numbers for BANKING77):
    # 5 instead of scipy's 10 saves about 200 MB with the same validation accuracy after 100 iterations.
    result = scipy.optimize.minimize(
        loss_and_gradient,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": 1e-4, "maxcor": 5},
    )
    w = result.x.astype(np.float32)
    return (
        w[:n_sparse].reshape(-1, n_classes),
        w[n_sparse : n_sparse + n_dense].reshape(-1, n_classes),
        w[n_sparse + n_dense :],
    )


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
        return ["scipy"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Inverse regularisation strength; lower for noisier data.
            "C": 10.0,
            # How much the dense sentence embedding counts against each (unit-length) lexical block.
            "dense_weight": 2.5,
            # L-BFGS iterations: validation accuracy levels off long before the loss converges.
            "max_iter": 100,
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

    def _scores(self, message: Message) -> np.ndarray:
        """``_row(message) @ weights + bias`` block by block, without building the sparse row: for one message
        scipy's construction cost more than the product (about 5% of Rasa's CPU per message, issue 15)."""
        assert self.weights is not None and self.bias is not None
        blocks = sentence_blocks(message)
        scores = self.bias.astype(np.float64)
        offset = 0
        for origin, width, is_sparse in self.block_layout:
            block = blocks.get(origin)
            weights = self.weights[offset : offset + width]
            offset += width
            if block is None or block.shape[-1] != width:
                continue
            if is_sparse:
                row = scipy.sparse.csr_matrix(block, dtype=np.float64)  # sums repeated entries, as _row does
                values = np.log1p(np.abs(row.data))
                norm = np.sqrt(values @ values)
                if norm > 0:
                    scores += (values / norm) @ weights[row.indices]
            else:
                vector = np.asarray(block, dtype=np.float64).reshape(-1)
                norm = np.linalg.norm(vector)
                if norm > 0:
                    scores += (vector * (self.component_config["dense_weight"] / norm)) @ weights
        return scores

    def _learn_layout(self, messages: list[Message]) -> None:
        layout: dict[str, tuple[int, bool]] = {}
        for message in messages:
            for origin, block in sentence_blocks(message).items():
                layout.setdefault(origin, (block.shape[-1], scipy.sparse.issparse(block)))
        self.block_layout = [(origin, width, is_sparse) for origin, (width, is_sparse) in sorted(layout.items())]

    def _dense_columns(self) -> np.ndarray:
        """A mask over the trained column layout: which columns come from dense blocks."""
        return np.concatenate([np.full(width, not is_sparse) for _, width, is_sparse in self.block_layout])

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
        self.intents, targets = np.unique(np.array([example.get(INTENT) for example in examples]), return_inverse=True)
        dense_columns = self._dense_columns()
        sparse_part, dense_part = features[:, ~dense_columns], features[:, dense_columns].toarray()
        width = features.shape[1]
        del features  # the split copies are all the fit needs: keep the peak memory down
        sparse_weights, dense_weights, self.bias = fit_softmax(
            sparse_part,
            dense_part,
            targets,
            len(self.intents),
            self.component_config["C"],
            self.component_config["max_iter"],
        )
        self.weights = np.empty((width, len(self.intents)), dtype=np.float32)
        self.weights[~dense_columns] = sparse_weights
        self.weights[dense_columns] = dense_weights
        self.persist()
        return self._resource

    def probabilities(self, messages: list[Message]) -> np.ndarray:
        assert self.weights is not None and self.bias is not None
        if len(messages) == 1:  # a message being parsed
            scores = self._scores(messages[0])[np.newaxis]
        else:
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
