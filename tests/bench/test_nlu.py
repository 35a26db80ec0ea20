"""The NLU benchmark's pure parts: reading CSVs (errors name file and line), labels, sampling and scoring."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.nlu import (
    DatasetError,
    Example,
    intent_names,
    read_examples,
    sample_shots,
    score,
    split_validation,
    threshold_curve,
    write_nlu_file,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_columns_are_found_by_name_and_text_is_tidied(tmp_path: Path) -> None:
    path = write(tmp_path, 'category,text\ncard_arrival,"Where is  my card,\nplease?"\n\nrefund,refund me\n')
    assert read_examples(path) == [
        Example("Where is my card, please?", "card_arrival"),
        Example("refund me", "refund"),
    ]


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("text\nhello\n", ":1: expected a header"),
        ("text,label\nhello,greet\nbye\n", ":3: expected 2 columns"),
        ("text,label\nhello,greet\n ,greet\n", ":3: empty text"),
        ("text,label\nhello,\n", ":2: empty label"),
        ("text,label\n", ": no examples"),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_and_line(tmp_path: Path, content: str, where: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(DatasetError) as error:
        read_examples(path)
    assert str(error.value).startswith(f"{path}{where}")


def test_labels_become_distinct_rasa_safe_intent_names() -> None:
    names = intent_names({"top up/failed", "top up failed", "nlu_fallback", "ok"})
    assert names["ok"] == "ok"
    assert len(set(names.values())) == 4
    assert all(name.replace("_", "").isalnum() for name in names.values())
    assert names["nlu_fallback"] != "nlu_fallback"


def test_shots_are_k_per_label_and_the_same_for_the_same_seed() -> None:
    examples = [Example(f"text {i}", f"label{i % 3}") for i in range(30)] + [Example("rare", "label_rare")]
    first, again, other = sample_shots(examples, 4, 1), sample_shots(examples, 4, 1), sample_shots(examples, 4, 2)
    assert first == again and first != other
    counts = {label: sum(e.label == label for e in first) for label in {e.label for e in examples}}
    assert counts == {"label0": 4, "label1": 4, "label2": 4, "label_rare": 1}


def test_the_training_file_keeps_awkward_texts_intact(tmp_path: Path) -> None:
    examples = [Example('a "quoted": text # not a comment', "x"), Example("- dash [link](y)", "y")]
    path = tmp_path / "nlu.yml"
    write_nlu_file(examples, {"x": "x", "y": "y"}, path)
    blocks = yaml.safe_load(path.read_text())["nlu"]
    assert blocks[0]["examples"] == '- a "quoted": text # not a comment\n'
    assert blocks[1]["examples"] == "- - dash (link)(y)\n"


def test_scores_count_fallback_only_against_out_of_scope() -> None:
    test = [Example("a", "x"), Example("b", "y"), Example("c", "x"), Example("d", "oos"), Example("e", "oos")]
    predicted = ["x", "x", "x", "y", "x"]
    fell_back = [False, True, False, True, False]
    accuracy, macro_f1, rejected, recall, precision = score(test, predicted, fell_back, frozenset({"oos"}))
    assert accuracy == pytest.approx(2 / 3)
    assert rejected == pytest.approx(1 / 3)
    assert recall == pytest.approx(1 / 2) and precision == pytest.approx(1 / 2)
    assert 0 < macro_f1 < 1
    assert score(test[:3], predicted[:3], fell_back[:3], frozenset())[3:] == (None, None)


def test_the_validation_split_is_stratified_disjoint_and_always_the_same() -> None:
    examples = [Example(f"{label} {i}", label) for label in ("x", "y") for i in range(10)]
    train_part, validation_part = split_validation(examples, 0.2)
    assert sorted(e.label for e in validation_part) == ["x", "x", "y", "y"]
    assert not set(train_part) & set(validation_part) and len(train_part) + len(validation_part) == 20
    assert split_validation(list(examples), 0.2) == (train_part, validation_part)


def test_the_threshold_curve_rejects_as_the_fallback_classifier_would() -> None:
    test = [Example("a", "x"), Example("b", "x"), Example("c", "oos"), Example("d", "oos")]
    confidences = [(0.9, 0.05), (0.5, 0.45), (0.6, 0.1), (0.3, 0.2)]
    # At 0.4: "b" is ambiguous (0.05 apart) and "d" below the threshold; at 0.7 "c" too.
    assert threshold_curve(test, confidences, frozenset({"oos"}), [0.4, 0.7], ambiguity=0.08) == [
        (0.4, 0.5, 0.5),
        (0.7, 0.5, 1.0),
    ]
