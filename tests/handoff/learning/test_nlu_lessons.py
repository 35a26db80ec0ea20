"""NLU lessons live in the database and are exported as Rasa NLU YAML that Rasa itself reads."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from sqlalchemy import select

from crm_store.db import unit_of_work
from crm_store.models import AuditEntry, TrainingCandidate
from handoff.errors import InvalidMessage
from handoff.learning.nlu_lessons import (
    approved_lessons,
    checked_intent,
    export_for_training,
    import_learned_file,
    lessons_file,
    to_rasa_yaml,
)
from tests.factories import make_lesson


def examples_of(text: str) -> dict[str, list[str]]:
    """What Rasa reads from an exported file: intent → example texts."""
    read: dict[str, list[str]] = {}
    for message in RasaYAMLReader().reads(text).intent_examples:
        read.setdefault(message.get("intent"), []).append(message.get("text"))
    return read


async def test_approved_lessons_come_from_the_database_and_export_as_rasa_nlu(sessions) -> None:
    async with unit_of_work(sessions) as session:
        session.add_all(
            [
                make_lesson("ask_faq", "is there   next day delivery"),
                make_lesson("request_human", "get me a rep"),
                make_lesson("ask_faq", "do you engrave knives", status="pending"),
                make_lesson("ask_faq", "can i get a refund", status="rejected"),
                TrainingCandidate(kind="question_variant", status="approved", question="x", target="gift-cards"),
            ]
        )
    lessons = await approved_lessons(sessions)
    assert [(lesson.intent, lesson.text) for lesson in lessons] == [
        ("ask_faq", "is there next day delivery"),
        ("request_human", "get me a rep"),
    ], "only approved NLU examples, on one line each"
    exported = to_rasa_yaml(lessons)
    assert examples_of(exported) == {"ask_faq": ["is there next day delivery"], "request_human": ["get me a rep"]}
    assert to_rasa_yaml(list(reversed(lessons))) == exported, "the same lessons give the same bytes"
    assert examples_of(to_rasa_yaml([])) == {}


async def test_a_text_taught_twice_keeps_its_newest_intent(sessions) -> None:
    later = datetime(2026, 11, 3, 9, 0, tzinfo=timezone.utc)
    async with unit_of_work(sessions) as session:
        session.add(make_lesson("ask_faq", "Where is my parcel", reviewed_at=later))
        session.add(make_lesson("order_status", "where is my parcel"))
    assert [(lesson.intent, lesson.text) for lesson in await approved_lessons(sessions)] == [
        ("ask_faq", "Where is my parcel")
    ]


async def test_the_training_export_goes_under_var_and_vanishes_without_lessons(sessions, tmp_path: Path) -> None:
    assert await export_for_training(sessions, tmp_path) is None
    async with unit_of_work(sessions) as session:
        session.add(make_lesson("ask_faq", "is there next day delivery"))
    exported = await export_for_training(sessions, tmp_path)
    assert exported == lessons_file(tmp_path) and exported.is_relative_to(tmp_path)
    assert examples_of(exported.read_text()) == {"ask_faq": ["is there next day delivery"]}
    async with unit_of_work(sessions) as session:
        (await session.execute(select(TrainingCandidate))).scalar_one().status = "rejected"
    assert await export_for_training(sessions, tmp_path) is None
    assert not lessons_file(tmp_path).exists(), "no stale lessons for the next training"


async def test_a_learned_file_from_before_is_imported_once_and_moved_out_of_bot_data(sessions, tmp_path: Path) -> None:
    learned = tmp_path / "learned.yml"
    learned.write_text(
        'version: "3.1"\nnlu:\n  - intent: ask_faq\n    examples: |\n      - do you engrave knives\n'
        "      - is there next day delivery\n  - intent: request_human\n    examples: |\n      - get me a rep\n"
    )
    async with unit_of_work(sessions) as session:
        session.add(make_lesson("ask_faq", "is there next day delivery"))
    var = tmp_path / "var"
    assert await import_learned_file(sessions, var, learned) == 2, "what the database has already is not doubled"
    assert not learned.exists() and (var / "training" / "learned.yml.imported").exists()
    assert await import_learned_file(sessions, var, learned) == 0
    assert sorted((lesson.intent, lesson.text) for lesson in await approved_lessons(sessions)) == [
        ("ask_faq", "do you engrave knives"),
        ("ask_faq", "is there next day delivery"),
        ("request_human", "get me a rep"),
    ]
    async with unit_of_work(sessions) as session:
        audit = (await session.execute(select(AuditEntry))).scalar_one()
    assert audit.action == "learning.nlu_file_imported" and audit.details == {"added": 2}


def test_a_lesson_must_name_an_intent_of_the_domain() -> None:
    assert checked_intent(" ask_faq ") == "ask_faq"
    for bad in ("Bad Intent!", "no_such_intent", ""):
        with pytest.raises(InvalidMessage):
            checked_intent(bad)
