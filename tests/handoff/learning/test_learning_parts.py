"""Pieces of the learning loop that need no running bot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from handoff.learning.candidates import cluster, slugify
from handoff.learning.nlu_file import add_example, read_examples
from handoff.learning.retraining import passes_gate


def test_approved_examples_go_to_their_own_reviewable_file(tmp_path: Path) -> None:
    learned = tmp_path / "learned.yml"
    assert add_example("ask_faq", "do you   engrave knives", learned) is True
    assert add_example("ask_faq", "do you engrave knives", learned) is False, "no duplicates"
    assert add_example("request_human", "get me a rep", learned) is True
    assert read_examples(learned) == {"ask_faq": ["do you engrave knives"], "request_human": ["get me a rep"]}
    raw = yaml.safe_load(learned.read_text())
    assert raw["version"] == "3.1" and [block["intent"] for block in raw["nlu"]] == ["ask_faq", "request_human"]
    with pytest.raises(ValueError):
        add_example("Bad Intent!", "x", learned)


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
