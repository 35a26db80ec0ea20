"""What a trainer needs beside a candidate to judge it: the customer's question and what the bot answered.

Both come from the candidate's source messages (the conversation as it was
when the agent taught), and are scrubbed as the candidate itself is, on the
way out: the stored transcript keeps its personal data, the review never shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from sqlalchemy.orm import sessionmaker

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Customer, TrainingCandidate
from crm_store.repositories import ConversationRepository
from handoff.learning.exchange import exchange
from handoff.learning.placeholders import drop_placeholders, placeholders_in
from handoff.learning.scrub import Scrubber


class CandidateContext(TypedDict):
    asked: str | None  # the customer's real question, scrubbed
    bot_answered: list[str]  # the bot's replies to it, scrubbed
    placeholders: list[str]  # placeholders in the question or answer, which approval will not store
    question_dropped: str | None  # the question as "drop the placeholders" would store it


async def candidate_contexts(
    sessions: sessionmaker, scrubber: Scrubber, candidates: Sequence[TrainingCandidate]
) -> dict[int, CandidateContext]:
    contexts: dict[int, CandidateContext] = {}
    async with unit_of_work(sessions) as session:
        conversations = ConversationRepository(session)
        for candidate in candidates:
            asked, answered = None, []
            if candidate.conversation_id:
                wanted = set(candidate.source_message_ids or [])
                messages = [
                    m for m in await conversations.messages(candidate.conversation_id) if not wanted or m.id in wanted
                ]
                found = exchange(messages)
                if found is not None:
                    names = await _customer_names(session, candidate.conversation_id)
                    asked = scrubber.scrub(found.question.text or "", extra_names=names)
                    answered = [scrubber.scrub(text, extra_names=names) for text in found.bot_replies]
            contexts[candidate.id] = _context(candidate, asked, answered)
    return contexts


async def _customer_names(session: Any, conversation_id: str) -> list[str]:
    """The conversation's own customer, who may have joined after the scrubber learnt the CRM's names."""
    conversation = await session.get(Conversation, conversation_id)
    customer = (
        await session.get(Customer, conversation.customer_id) if conversation and conversation.customer_id else None
    )
    return [customer.first_name, customer.last_name] if customer else []


def _context(candidate: TrainingCandidate, asked: str | None, answered: list[str]) -> CandidateContext:
    found = placeholders_in(candidate.question) + placeholders_in(
        candidate.answer if candidate.kind == "new_article" else None
    )
    return {
        "asked": asked,
        "bot_answered": answered,
        "placeholders": list(dict.fromkeys(found)),
        "question_dropped": drop_placeholders(candidate.question) if placeholders_in(candidate.question) else None,
    }


def context_fields(context: CandidateContext | None) -> dict[str, Any]:
    return (
        dict(context) if context else {"asked": None, "bot_answered": [], "placeholders": [], "question_dropped": None}
    )


__all__ = ["CandidateContext", "candidate_contexts", "context_fields"]
