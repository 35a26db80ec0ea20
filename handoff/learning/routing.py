"""The routing check: a question taught for an article must reach the knowledge base.

Teaching an article a question changes nothing when the intent model sends that question
elsewhere first ("is there next day delivery" read as order_status asks for an order number).
So when a trainer approves such a lesson, the running model is asked how it reads the question;
if its turn would not consult the knowledge base, an approved NLU lesson ``ask_faq ← question``
is stored for the next retrain, attributed to the trainer and marked as added automatically,
and the approved candidate's note tells the trainer what happened.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import sessionmaker

from bot.intents import KNOWLEDGE_BASE_INTENT, KNOWLEDGE_BASE_INTENTS
from crm_store.db import unit_of_work
from crm_store.models import TrainingCandidate, User
from crm_store.models.base import utcnow
from crm_store.repositories import AuditRepository, TrainingCandidateRepository
from handoff.learning.nlu_lessons import AUTOMATIC, KIND, approved_lessons, normalise
from handoff.rasa_client import RasaClient

logger = logging.getLogger(__name__)

ARTICLE_KINDS = ("question_variant", "new_article")  # lessons whose question must reach an article


def routing_note(intent: str, added: bool = True) -> str:
    lesson = "an NLU lesson was added" if added else "an NLU lesson for it is waiting"
    return f"the bot reads this as {intent}: {lesson}; retrain to fix the routing"


class RoutingCheck:
    def __init__(self, sessions: sessionmaker, rasa: RasaClient) -> None:
        self.sessions = sessions
        self.rasa = rasa

    async def after_approval(self, candidate: TrainingCandidate, trainer: User) -> str | None:
        """Check an approved article lesson's routing; the note left on the candidate, if any."""
        if candidate.kind not in ARTICLE_KINDS:
            return None
        question = normalise(candidate.question)
        parsed = await self.rasa.parse(question)
        if parsed is None:
            logger.warning("could not check how the bot routes candidate %s: Rasa did not answer", candidate.id)
            return None
        intent = parsed["name"]
        if intent in KNOWLEDGE_BASE_INTENTS:
            return None
        taught = any(
            lesson.text.lower() == question.lower() and lesson.intent == KNOWLEDGE_BASE_INTENT
            for lesson in await approved_lessons(self.sessions)
        )
        note = routing_note(intent, added=not taught)
        async with unit_of_work(self.sessions) as session:
            audit = AuditRepository(session)
            if not taught:
                lesson = await TrainingCandidateRepository(session).add(
                    TrainingCandidate(
                        kind=KIND,
                        status="approved",
                        question=question,
                        target=KNOWLEDGE_BASE_INTENT,
                        ticket_id=candidate.ticket_id,
                        conversation_id=candidate.conversation_id,
                        source_message_ids=list(candidate.source_message_ids or []),
                        proposed_by_id=trainer.id,
                        reviewed_by_id=trainer.id,
                        reviewed_at=utcnow(),
                        review_note=f"{AUTOMATIC}: read as {intent} ({parsed['confidence']:.2f}) when "
                        f"taught for the article {candidate.target} (candidate #{candidate.id})",
                    )
                )
                await audit.record(
                    trainer.username,
                    "learning.routing_lesson_added",
                    "candidate",
                    lesson.id,
                    {
                        "automatic": True,
                        "from_candidate": candidate.id,
                        "read_as": intent,
                        "confidence": parsed["confidence"],
                        "intent": KNOWLEDGE_BASE_INTENT,
                    },
                )
            stored = await TrainingCandidateRepository(session).get(candidate.id)
            if stored is not None:
                stored.review_note = note
        candidate.review_note = note
        return note


__all__ = ["ARTICLE_KINDS", "RoutingCheck", "routing_note"]
