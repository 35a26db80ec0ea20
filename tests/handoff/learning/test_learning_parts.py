"""Pieces of the learning loop that need no running bot."""

from __future__ import annotations

import numpy as np

from handoff.learning.candidates import cluster, slugify
from handoff.learning.retraining import numbers, passes_gate


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


def test_the_gate_ignores_a_records_taught_question_report() -> None:
    figures = {"nlu_accuracy": 0.9, "story_accuracy": 1.0, "taught": [{"id": 1, "verdict": "fixed"}]}
    assert numbers(figures) == {"nlu_accuracy": 0.9, "story_accuracy": 1.0}
    assert passes_gate(numbers(figures), numbers(figures), 0.0)[0]
