"""The linear intent classifier on hand-made features: it learns, ranks, survives a save and load, and copes with gaps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.linear_intent_classifier import LinearIntentClassifier, fit_softmax

WORDS = ["card", "arrive", "refund", "money", "hello", "hi"]
INTENTS = {"card_arrival": ["card", "arrive"], "refund": ["refund", "money"], "greet": ["hello", "hi"]}


def message(text: str, intent: str | None = None, *, dense: bool = True) -> Message:
    counts = np.array([[text.split().count(word) for word in WORDS]], dtype=float)
    built = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    built.add_features(Features(scipy.sparse.coo_matrix(counts), FEATURE_TYPE_SENTENCE, TEXT, "words"))
    if dense:
        # A stand-in "embedding": which intent's words the text uses, plus noise.
        rng = np.random.default_rng(len(text))
        vector = np.array([[sum(w in text.split() for w in words) for words in INTENTS.values()]], dtype=float)
        built.add_features(Features(vector + rng.normal(0, 0.05, vector.shape), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    return built


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def trained(storage: LocalModelStorage) -> tuple[LinearIntentClassifier, Resource]:
    resource = Resource("classifier")
    classifier = LinearIntentClassifier.create({}, storage, resource, context())
    examples = [
        message(text, intent)
        for intent, words in INTENTS.items()
        for text in (f"{words[0]}", f"{words[1]}", f"my {words[0]} {words[1]}", f"{words[1]} please {words[0]}")
    ]
    classifier.train(TrainingData(examples))
    return classifier, resource


def test_it_learns_the_intents_and_ranks_them_by_confidence(storage: LocalModelStorage) -> None:
    classifier, _ = trained(storage)
    parsed = classifier.process([message("where is my card it did not arrive"), message("hi there")])
    assert [m.get(INTENT)["name"] for m in parsed] == ["card_arrival", "greet"]
    ranking = parsed[0].get("intent_ranking")
    assert [item["name"] for item in ranking][0] == "card_arrival"
    confidences = [item["confidence"] for item in ranking]
    assert confidences == sorted(confidences, reverse=True) and sum(confidences) == pytest.approx(1.0)


def test_a_saved_model_loads_and_predicts_the_same(storage: LocalModelStorage) -> None:
    classifier, resource = trained(storage)
    loaded = LinearIntentClassifier.load({}, storage, resource, context())
    texts = ["refund my money", "hello", "card"]
    before = classifier.probabilities([message(t) for t in texts])
    after = loaded.probabilities([message(t) for t in texts])
    np.testing.assert_allclose(after, before, rtol=1e-6)
    assert list(loaded.intents) == list(classifier.intents)


def test_a_message_missing_a_feature_block_is_still_classified(storage: LocalModelStorage) -> None:
    classifier, _ = trained(storage)
    [parsed] = classifier.process([message("refund money", dense=False)])
    assert parsed.get(INTENT)["name"] == "refund"


def test_fewer_than_two_intents_leave_it_untrained_and_silent(storage: LocalModelStorage) -> None:
    classifier = LinearIntentClassifier.create({}, storage, Resource("lonely"), context())
    classifier.train(TrainingData([message("hello", "greet"), message("hi", "greet")]))
    [parsed] = classifier.process([message("hello")])
    assert parsed.get(INTENT) is None


def test_a_missing_model_file_loads_as_an_untrained_classifier(storage: LocalModelStorage) -> None:
    loaded = LinearIntentClassifier.load({}, storage, Resource("never-trained"), context())
    [parsed] = loaded.process([message("hello")])
    assert parsed.get(INTENT) is None


def test_the_fit_minimises_the_same_objective_as_scikit_learns_logistic_regression() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    sparse = scipy.sparse.random(60, 12, density=0.3, format="csr", random_state=1)
    dense = rng.normal(size=(60, 4))
    labels = rng.integers(0, 3, size=60)
    sparse_weights, dense_weights, bias = fit_softmax(sparse, dense, labels, 3, C=2.0, max_iter=500)
    reference = LogisticRegression(C=2.0, tol=1e-8, max_iter=5000).fit(np.hstack([sparse.toarray(), dense]), labels)
    np.testing.assert_allclose(np.vstack([sparse_weights, dense_weights]), reference.coef_.T, atol=2e-3)
    # Softmax biases are defined up to a constant; scikit-learn's are centred.
    np.testing.assert_allclose(bias - bias.mean(), reference.intercept_ - reference.intercept_.mean(), atol=2e-3)


def test_one_message_alone_gets_the_probabilities_it_gets_in_a_batch(storage: LocalModelStorage) -> None:
    """A message being parsed takes a short route (no sparse row built); it must agree with the batch route."""
    classifier, _ = trained(storage)
    texts = ["where is my card it did not arrive", "refund refund money", "hi", "nothing we know", ""]
    batch = classifier.probabilities([message(text) for text in texts] + [message("hello", dense=False)])
    alone = [classifier.probabilities([message(text)])[0] for text in texts]
    alone.append(classifier.probabilities([message("hello", dense=False)])[0])
    np.testing.assert_allclose(np.array(alone), batch, rtol=1e-9, atol=1e-12)
