"""Pieces of the learning loop that need no running bot."""

from __future__ import annotations

import numpy as np

from handoff.learning.candidates import cluster, slugify
from handoff.learning.gate import TaughtScore, passes_gate
from handoff.learning.retraining import numbers


def test_similar_questions_cluster_together_biggest_first() -> None:
    vectors = np.array([[1, 0], [0.99, 0.14], [0, 1], [0.98, 0.2], [0.1, 0.99]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert cluster(vectors) == [[0, 1, 3], [2, 4]]


def test_slugs_from_titles() -> None:
    assert slugify("Do you offer engraving?") == "do-you-offer-engraving"
    assert slugify("???") == "article"


def test_the_gate_compares_the_gated_figures_with_tolerance() -> None:
    current = {"nlu_accuracy": 0.90, "story_accuracy": 1.0}
    assert passes_gate({"nlu_accuracy": 0.90, "story_accuracy": 1.0}, current, 0.0)[0]
    assert not passes_gate({"nlu_accuracy": 0.89, "story_accuracy": 1.0}, current, 0.0)[0]
    assert passes_gate({"nlu_accuracy": 0.89, "story_accuracy": 1.0}, current, 0.02)[0]
    assert not passes_gate({"nlu_accuracy": 0.95, "story_accuracy": 0.9}, current, 0.02)[0]
    assert passes_gate({"nlu_accuracy": 0.1}, None, 0.0)[0], "nothing running: nothing to compare with"


def test_taught_questions_count_with_the_held_out_messages() -> None:
    # 165 held-out messages: 154 read right by the running model, 153 by the retrained one.
    current = {"nlu_accuracy": round(154 / 165, 4), "nlu_examples": 165, "story_accuracy": 1.0}
    new = {"nlu_accuracy": round(153 / 165, 4), "nlu_examples": 165, "story_accuracy": 1.0}
    assert not passes_gate(new, current, 0.0)[0], "without lessons, one message lost rejects"
    accepted, why = passes_gate(new, current, 0.0, TaughtScore(right_before=0, right_after=3, total=3))
    assert accepted, why
    assert "156 of 168" in why and "running model 154" in why and "3 vs 0 of 3" in why
    accepted, why = passes_gate(new, current, 0.0, TaughtScore(right_before=2, right_after=2, total=3))
    assert not accepted and "155 of 168" in why, "a lost message with no taught question gained rejects"
    worse = {**new, "story_accuracy": 0.9}
    assert not passes_gate(worse, current, 0.0, TaughtScore(0, 3, 3))[0], "lessons buy nothing on the stories"


def test_lessons_cannot_buy_a_model_that_stopped_generalising() -> None:
    current = {"nlu_accuracy": round(150 / 165, 4), "nlu_examples": 165, "story_accuracy": 1.0}
    new = {"nlu_accuracy": round(145 / 165, 4), "nlu_examples": 165, "story_accuracy": 1.0}
    accepted, why = passes_gate(new, current, 0.0, TaughtScore(right_before=0, right_after=20, total=20))
    assert not accepted and "may buy" in why, why
    nearly = {**new, "nlu_accuracy": round(147 / 165, 4)}  # 3 messages: within the 2 points
    assert passes_gate(nearly, current, 0.0, TaughtScore(right_before=0, right_after=20, total=20))[0]


def test_an_old_record_without_the_test_sets_size_uses_the_new_ones() -> None:
    current = {"nlu_accuracy": round(154 / 165, 4), "story_accuracy": 1.0}
    new = {"nlu_accuracy": round(153 / 165, 4), "nlu_examples": 165, "story_accuracy": 1.0}
    assert passes_gate(new, current, 0.0, TaughtScore(0, 3, 3))[0]
    assert not passes_gate({**new, "nlu_examples": 0}, current, 0.0, TaughtScore(0, 3, 3))[0]


def test_the_gate_ignores_a_records_taught_question_report() -> None:
    figures = {"nlu_accuracy": 0.9, "story_accuracy": 1.0, "taught": [{"id": 1, "verdict": "fixed"}]}
    assert numbers(figures) == {"nlu_accuracy": 0.9, "story_accuracy": 1.0}
    assert passes_gate(numbers(figures), numbers(figures), 0.0)[0]
