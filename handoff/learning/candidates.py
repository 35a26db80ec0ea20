"""Training candidates: proposed by agents when they resolve a ticket, reviewed by trainers.

Every candidate is scrubbed of personal data when it is created, so nothing
personal reaches the trainer console, the knowledge base or the NLU lessons.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import sessionmaker

from crm_store.db import unit_of_work
from crm_store.errors import ConfigError, NotFound, StoreError, StoreUnavailable
from crm_store.models import Customer, Ticket, TrainingCandidate, User
from crm_store.models.base import utcnow
from crm_store.repositories import (
    AuditRepository,
    ConversationRepository,
    CustomerRepository,
    TrainingCandidateRepository,
    UserRepository,
)
from handoff.errors import GatewayError, InvalidMessage
from handoff.learning.nlu_lessons import checked_intent, normalise
from handoff.learning.placeholders import without_placeholders
from handoff.learning.routing import RoutingCheck
from handoff.learning.scrub import Scrubber
from knowledge_base.article_files import SLUG_PATTERN, ArticleData
from knowledge_base.editing import KnowledgeBaseEditor
from knowledge_base.embedding import Embedder

KINDS = ("new_article", "question_variant", "nlu_example", "wrong_answer", "no_answer")
# Negative lessons (knowledge_base/negative.py): "the bot's answer, article `target`, was wrong for this question";
# "nothing we have answers this".
NEGATIVE_KINDS = ("wrong_answer", "no_answer")
SIMILAR = 0.75  # cosine similarity above which two questions count as the same question


@dataclass(frozen=True)
class Approval:
    """One candidate's outcome in a group approval: the approved candidate, or why it was not approved."""

    candidate_id: int
    candidate: TrainingCandidate | None
    error: GatewayError | StoreError | None


@dataclass
class Group:
    kind: str
    label: str
    candidates: list[TrainingCandidate]


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80].strip("-")
    return slug or "article"


def cluster(vectors: np.ndarray, threshold: float = SIMILAR) -> list[list[int]]:
    """Greedy clustering by cosine similarity to each cluster's first member; stable and fast enough for a queue."""
    clusters: list[list[int]] = []
    heads: list[int] = []
    for index in range(len(vectors)):
        for number, head in enumerate(heads):
            if float(vectors[index] @ vectors[head]) >= threshold:
                clusters[number].append(index)
                break
        else:
            heads.append(index)
            clusters.append([index])
    return sorted(clusters, key=len, reverse=True)


class LearningDesk:
    def __init__(
        self,
        sessions: sessionmaker,
        embedder: Embedder,
        editor: KnowledgeBaseEditor,
        routing: RoutingCheck | None = None,
    ) -> None:
        self.sessions = sessions
        self.embedder = embedder
        self.editor = editor
        self.routing = routing
        self._scrubber: Scrubber | None = None

    async def scrubber(self) -> Scrubber:
        """Knows every customer's and colleague's name; built once per process."""
        if self._scrubber is None:
            async with unit_of_work(self.sessions) as session:
                customers = await CustomerRepository(session).full_names()
                staff = await UserRepository(session).all_display_names()
            self._scrubber = Scrubber.with_names([*customers, *staff])
        return self._scrubber

    # Agents teach ---------------------------------------------------------------------------

    async def propose(self, ticket: Ticket, agent: User, lesson: dict[str, Any]) -> TrainingCandidate | None:
        kind = lesson.get("kind")
        if kind in (None, "", "nothing"):
            return None
        if kind not in KINDS:
            raise InvalidMessage(f"learn.kind must be one of {', '.join(KINDS)} or nothing")
        question = str(lesson.get("question") or "").strip()
        answer = str(lesson.get("answer") or "").strip() or None
        target = str(lesson.get("target") or "").strip() or None
        if not question:
            raise InvalidMessage("learn.question is required")
        if kind == "new_article" and not answer:
            raise InvalidMessage("learn.answer is required for a new article")
        if kind in ("question_variant", "nlu_example", "wrong_answer") and not target:
            raise InvalidMessage("learn.target (an article slug or an intent) is required")
        if kind == "no_answer":
            target = None
        scrubber = await self.scrubber()
        async with unit_of_work(self.sessions) as session:
            customer = await session.get(Customer, ticket.customer_id) if ticket.customer_id else None
            names = [customer.first_name, customer.last_name] if customer else []
            message_ids = await ConversationRepository(session).message_ids(ticket.conversation_id, last=20)
            candidate = TrainingCandidate(
                kind=kind,
                question=scrubber.scrub(question, extra_names=names),
                answer=scrubber.scrub(answer, extra_names=names) if answer else None,
                target=target,
                ticket_id=ticket.id,
                conversation_id=ticket.conversation_id,
                source_message_ids=message_ids,
                proposed_by_id=agent.id,
            )
            await TrainingCandidateRepository(session).add(candidate)
            await AuditRepository(session).record(
                agent.username, "learning.proposed", "candidate", candidate.id, {"kind": kind}
            )
        return candidate

    # Trainers review ---------------------------------------------------------------------------

    async def pending_groups(self) -> list[Group]:
        async with unit_of_work(self.sessions) as session:
            pending = await TrainingCandidateRepository(session).pending()
        groups: list[Group] = []
        by_kind: dict[tuple[str, str | None], list[TrainingCandidate]] = {}
        for candidate in pending:
            by_kind.setdefault(
                (candidate.kind, candidate.target if candidate.kind != "new_article" else None), []
            ).append(candidate)
        for (kind, target), members in by_kind.items():
            vectors = await asyncio.to_thread(self.embedder.encode, [member.question for member in members])
            for indices in cluster(vectors):
                label = f"{kind.replace('_', ' ')}" + (f" → {target}" if target else "")
                groups.append(Group(kind, label, [members[index] for index in indices]))
        return sorted(groups, key=lambda group: (-len(group.candidates), group.candidates[0].id))

    async def approve(self, candidate_id: int, trainer: User, edits: dict[str, Any]) -> TrainingCandidate:
        async with unit_of_work(self.sessions) as session:
            candidate = await TrainingCandidateRepository(session).get(candidate_id)
            if candidate is None:
                raise NotFound(f"no candidate {candidate_id}")
            if candidate.status != "pending":
                raise InvalidMessage(f"candidate {candidate_id} is already {candidate.status}")
        question, answer, title = await self._live_texts(candidate, edits)
        target = str(edits.get("target") or candidate.target or "").strip() or None
        actor = trainer.username
        if candidate.kind == "question_variant":
            await self.editor.add_question(str(target), question, actor)
        elif candidate.kind == "new_article":
            title = (title or question)[:300]
            slug = target if target and SLUG_PATTERN.match(target) else slugify(title)
            await self.editor.create(
                ArticleData(
                    slug=slug,
                    title=title,
                    category="learned",
                    answer=str(answer),
                    questions=(question,),
                    status="published",
                ),
                actor,
            )
            target = slug
        elif candidate.kind in NEGATIVE_KINDS:
            await self.editor.add_negative_lesson(question, target if candidate.kind == "wrong_answer" else None, actor)
        else:  # the approved candidate is the NLU lesson: the next retrain exports it from the database
            target, question = checked_intent(str(target or "")), normalise(question)
        async with unit_of_work(self.sessions) as session:
            stored = await TrainingCandidateRepository(session).get(candidate_id)
            assert stored is not None
            stored.status, stored.question, stored.answer, stored.target = "approved", question, answer, target
            stored.reviewed_by_id, stored.reviewed_at = trainer.id, utcnow()
            await AuditRepository(session).record(
                actor, "learning.approved", "candidate", candidate_id, {"kind": stored.kind, "target": target}
            )
        if self.routing is not None:
            await self.routing.after_approval(stored, trainer)
        return stored

    async def _live_texts(
        self, candidate: TrainingCandidate, edits: dict[str, Any]
    ) -> tuple[str, str | None, str | None]:
        """The question, answer and title as they would go live: scrubbed again (an edit may add personal data)
        and without placeholders, or the approval is refused (handoff.learning.placeholders).

        Only a new article's answer and title go live; another kind's answer is kept as the agent wrote it.
        """
        scrubber = await self.scrubber()
        question = scrubber.scrub(str(edits.get("question") or candidate.question).strip())
        answer = scrubber.scrub(str(edits.get("answer") or candidate.answer or "").strip()) or None
        title = str(edits.get("title") or "").strip() or None
        live = {"question": question, **({"answer": answer, "title": title} if candidate.kind == "new_article" else {})}
        fields = without_placeholders(live, drop=edits.get("drop_placeholders") is True)
        return str(fields["question"]), fields.get("answer", answer), fields.get("title", title)

    async def approve_group(self, candidate_ids: list[int], trainer: User, edits: dict[str, Any]) -> list[Approval]:
        """Each candidate approved as ``approve`` does, one after the other, each in its own transaction: one
        refusal (a placeholder left, a candidate someone just reviewed) is reported and stops nothing else."""
        results: list[Approval] = []
        for candidate_id in candidate_ids:
            try:
                results.append(Approval(candidate_id, await self.approve(candidate_id, trainer, edits), None))
            except (StoreUnavailable, ConfigError):
                raise  # nothing else would get through either: the request fails as a whole
            except (GatewayError, StoreError) as error:
                results.append(Approval(candidate_id, None, error))
        return results

    async def reject(self, candidate_id: int, trainer: User, note: str | None) -> TrainingCandidate:
        async with unit_of_work(self.sessions) as session:
            candidate = await TrainingCandidateRepository(session).get(candidate_id)
            if candidate is None or candidate.status != "pending":
                raise NotFound(f"no pending candidate {candidate_id}")
            candidate.status, candidate.review_note = "rejected", note
            candidate.reviewed_by_id, candidate.reviewed_at = trainer.id, utcnow()
            await AuditRepository(session).record(
                trainer.username, "learning.rejected", "candidate", candidate_id, {"note": note}
            )
        return candidate

    async def group_by_meaning(self, texts: list[str]) -> list[list[int]]:
        """Indices of ``texts`` that mean the same, grouped (the same embedding and rule as the unanswered list)."""
        vectors = await asyncio.to_thread(self.embedder.encode, texts)
        return cluster(vectors)

    async def unanswered_clusters(self, limit: int = 500) -> list[dict[str, Any]]:
        """What customers asked that the bot could not answer, scrubbed and grouped, most frequent first."""
        async with unit_of_work(self.sessions) as session:
            rows = await ConversationRepository(session).recent_customer_messages(limit * 4)
        messages = [row for row in rows if (row.payload or {}).get("unanswered") and row.text][:limit]
        if not messages:
            return []
        scrubber = await self.scrubber()
        texts = [scrubber.scrub(message.text or "") for message in messages]
        vectors = await asyncio.to_thread(self.embedder.encode, texts)
        return [
            {
                "count": len(indices),
                "examples": list(dict.fromkeys(texts[index] for index in indices))[:5],
                "last_at": max(messages[index].created_at for index in indices).isoformat(),
            }
            for indices in cluster(vectors)
        ]
