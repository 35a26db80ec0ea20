"""Each text embedded once: the vector Rasa's NLU computed is the one the search would compute, bit for bit,
and the actions answer exactly as they would have without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultAskAffirmation
from actions.faq import ActionAnswerQuestion
from bot.components.sentence_embeddings import SentenceEmbeddingFeaturizer
from knowledge_base.compound import question_parts
from knowledge_base.evaluation import load_questions
from knowledge_base.query_vectors import PARSE_DATA_KEY, KnownVectors, entries_in, packed
from tests.actions.trackers import make_tracker

pytestmark = pytest.mark.slow
EVAL = Path(__file__).resolve().parents[1] / "knowledge_base" / "search_eval.yml"
QUESTIONS = load_questions(EVAL)
# Every 6th labelled question, every 4th out-of-scope one, and shapes the file has few of.
TEXTS = [
    *[question for question, _ in QUESTIONS.in_scope[::6]],
    *QUESTIONS.out_of_scope[::4],
    "hi",
    "How long do refunds take? And can I change my delivery address?",
    "wher is my pakage",  # corrected before the search: the NLU's vector is not for that text
    "x " * 400,  # longer than the model reads and than the search keeps
]


@pytest.fixture(scope="module")
def featurizer() -> SentenceEmbeddingFeaturizer:
    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "model": "all-MiniLM-L6-v2"}
    return SentenceEmbeddingFeaturizer(config, "sentence_embeddings")


def parsed(featurizer: SentenceEmbeddingFeaturizer, text: str) -> dict[str, Any]:
    """What Rasa's NLU adds to the parse data of ``text``."""
    message = Message(data={TEXT: text})
    featurizer.process([message])
    return message.as_dict(only_output_properties=True)


def test_the_nlu_vector_is_the_search_vector_bit_for_bit(featurizer: SentenceEmbeddingFeaturizer, embedder) -> None:  # type: ignore[no-untyped-def]
    for text in TEXTS:
        known = KnownVectors(embedder.model_name, embedder.dimensions, [parsed(featurizer, text)[PARSE_DATA_KEY]])
        vector = known.get(text)
        assert vector is not None, text
        assert np.array_equal(vector, embedder.encode_one(text)), text


def test_payloads_carry_no_vector(featurizer: SentenceEmbeddingFeaturizer) -> None:
    assert PARSE_DATA_KEY not in parsed(featurizer, '/ask_faq{"article_slug":"refund-timing"}')


@pytest.mark.parametrize("action", [ActionAnswerQuestion, ActionDefaultAskAffirmation])
async def test_actions_answer_the_same_with_the_nlu_vector_and_embed_only_what_changed(
    shop, featurizer: SentenceEmbeddingFeaturizer, action: type
) -> None:  # type: ignore[no-untyped-def]
    counts = shop.knowledge_base.query_vectors
    for text in TEXTS:
        replies = []
        for extra in ({}, parsed(featurizer, text)):
            counts.clear()
            dispatcher = CollectingDispatcher()
            events = await action().run(dispatcher, make_tracker(text, "ask_faq", parsed=extra), {})
            replies.append((dispatcher.messages, events))
            # A message asking two things is searched part by part: new texts, embedded there and then.
            searched_as_typed = await shop.knowledge_base.normalise(text) == text and len(question_parts(text)) == 1
            if extra and searched_as_typed:
                assert counts["reused"] >= 1, text
        assert replies[0] == replies[1], text
    assert counts["computed"] + counts["reused"] > 0


def test_vectors_of_another_model_or_mangled_ones_are_not_used(embedder) -> None:  # type: ignore[no-untyped-def]
    vector = embedder.encode_one("where is my order")
    good = packed(embedder.model_name, "where is my order", vector)
    assert np.array_equal(
        KnownVectors(embedder.model_name, embedder.dimensions, [good]).get("where is my order"), vector
    )
    for entry in (
        packed("all-mpnet-base-v2", "where is my order", vector),
        {**good, "vector": good["vector"][:-8]},
        {**good, "vector": "not base64 at all!"},
        {**good, "text_sha256": None},
        "a string",
        None,
    ):
        assert KnownVectors(embedder.model_name, embedder.dimensions, [entry]).get("where is my order") is None
    assert KnownVectors(embedder.model_name, embedder.dimensions, [good]).get("where is my order ") is None


def test_only_the_newest_user_events_are_read() -> None:
    def user(n: int) -> dict[str, Any]:
        return {"event": "user", "parse_data": {PARSE_DATA_KEY: f"vector {n}"}}

    events = [user(n) for n in range(10)] + [{"event": "bot"}, {"event": "action", "name": "action_listen"}]
    assert entries_in(events) == ["vector 9", "vector 8", "vector 7"]
    assert entries_in(events, limit=1) == ["vector 9"]
    assert entries_in([{"event": "user", "parse_data": "not a mapping"}, {"event": "bot"}]) == []
