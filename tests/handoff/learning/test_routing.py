"""The routing check: an article lesson whose question the bot sends elsewhere gets an NLU lesson too."""

from __future__ import annotations

from sqlalchemy import select

from crm_store.db import unit_of_work
from crm_store.models import AuditEntry, TrainingCandidate
from handoff.learning.nlu_lessons import approved_lessons
from handoff.learning.routing import RoutingCheck
from handoff.rasa_client import ParsedIntent
from tests.factories import make_trainer


class FakeRasa:
    """Rasa's /model/parse as RasaClient offers it: a fixed reading per text, None when "down"."""

    def __init__(self, readings: dict[str, str] | None) -> None:
        self.readings = readings

    async def parse(self, text: str) -> ParsedIntent | None:
        if self.readings is None:
            return None
        return {"name": self.readings.get(text, "ask_faq"), "confidence": 0.93}


async def approved_variant(sessions, question: str) -> tuple[TrainingCandidate, object]:
    async with unit_of_work(sessions) as session:
        trainer = make_trainer()
        session.add(trainer)
        await session.flush()
        candidate = TrainingCandidate(
            kind="question_variant",
            status="approved",
            question=question,
            target="shipping-options-and-costs",
            reviewed_by_id=trainer.id,
        )
        session.add(candidate)
    return candidate, trainer


async def test_a_question_read_as_order_status_gets_an_ask_faq_lesson(sessions) -> None:
    candidate, trainer = await approved_variant(sessions, "is there next day delivery")
    check = RoutingCheck(sessions, FakeRasa({"is there next day delivery": "order_status"}))  # type: ignore[arg-type]
    note = await check.after_approval(candidate, trainer)  # type: ignore[arg-type]
    expected = "the bot reads this as order_status: an NLU lesson was added; retrain to fix the routing"
    assert note == expected and candidate.review_note == expected
    [lesson] = await approved_lessons(sessions)
    assert (lesson.intent, lesson.text, lesson.automatic) == ("ask_faq", "is there next day delivery", True)
    assert lesson.approved_by_id == trainer.id  # type: ignore[attr-defined]
    async with unit_of_work(sessions) as session:
        stored = await session.get(TrainingCandidate, candidate.id)
        audit = (await session.execute(select(AuditEntry))).scalar_one()
    assert stored is not None and stored.review_note == expected, "the approval's note is kept for the review screen"
    assert audit.actor == "tara" and audit.action == "learning.routing_lesson_added"
    assert audit.details["automatic"] is True and audit.details["read_as"] == "order_status"

    again, _ = await approved_variant_again(sessions, candidate)
    note = await check.after_approval(again, trainer)  # type: ignore[arg-type]
    assert note is not None and "waiting" in note and len(await approved_lessons(sessions)) == 1, "no duplicate"


async def approved_variant_again(sessions, first: TrainingCandidate) -> tuple[TrainingCandidate, None]:
    async with unit_of_work(sessions) as session:
        again = TrainingCandidate(
            kind="question_variant", status="approved", question=first.question, target=first.target
        )
        session.add(again)
    return again, None


async def test_a_question_that_reaches_the_knowledge_base_needs_no_lesson(sessions) -> None:
    candidate, trainer = await approved_variant(sessions, "how much is shipping")
    for rasa in (FakeRasa({}), FakeRasa({"how much is shipping": "out_of_scope"}), FakeRasa(None)):
        assert await RoutingCheck(sessions, rasa).after_approval(candidate, trainer) is None  # type: ignore[arg-type]
    assert await approved_lessons(sessions) == []
    nlu = TrainingCandidate(kind="nlu_example", status="approved", question="hi", target="greet")
    assert await RoutingCheck(sessions, FakeRasa({"hi": "greet"})).after_approval(nlu, trainer) is None  # type: ignore[arg-type]
