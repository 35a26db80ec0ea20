"""The model's name: a hash of its inputs, the NLU lessons included when there are any."""

from __future__ import annotations

from pathlib import Path

from handoff.ops.training import MODEL_PREFIX, hash_of, inputs_hash, model_path


def test_lessons_change_the_hash_and_no_lessons_keep_it(tmp_path: Path) -> None:
    plain = inputs_hash()
    assert inputs_hash(None) == plain, "without lessons the model is the one bot/ alone gives"
    lessons = tmp_path / "a" / "nlu-lessons.yml"
    lessons.parent.mkdir()
    lessons.write_text(
        'version: "3.1"\nnlu:\n  - intent: ask_faq\n    examples: |\n      - is there next day delivery\n'
    )
    taught = inputs_hash(lessons)
    assert taught != plain
    elsewhere = tmp_path / "b.yml"
    elsewhere.write_bytes(lessons.read_bytes())
    assert inputs_hash(elsewhere) == taught, "the same lessons anywhere under var/ give the same model"
    lessons.write_text(lessons.read_text() + "      - can you deliver it by tomorrow\n")
    assert inputs_hash(lessons) not in (plain, taught), "a new lesson is a new model"
    path = model_path(tmp_path, lessons)
    assert path.name.startswith(MODEL_PREFIX) and hash_of(path) == inputs_hash(lessons)
