"""The teach form's article suggestion: ranked by the agent's reply and the customer's question (see
handoff.learning.lesson_suggestion); the article the bot already answered with is flagged and goes last."""

from __future__ import annotations

from aiohttp import web

from crm_store.db import unit_of_work
from crm_store.repositories import ConversationRepository, TicketRepository
from handoff.desk import access
from handoff.edge import path_number
from handoff.keys import KNOWLEDGE_BASE, SESSIONS
from handoff.learning.exchange import agent_replies, bot_replies, real_question
from handoff.learning.lesson_suggestion import suggest_articles
from handoff.schemas import MAX_TEXT
from handoff.staff.sessions import require, signed_in_user

AGENT_ROLES = ("agent", "admin")


@require(*AGENT_ROLES)
async def lesson_suggestion(request: web.Request) -> web.Response:
    """``q``, the question as the agent wrote it in the form, overrides the customer's last real question."""
    user = await signed_in_user(request)
    async with unit_of_work(request.app[SESSIONS]) as session:
        ticket = access.visible(await TicketRepository(session).get(path_number(request, "ticket_id")), user)
        messages = await ConversationRepository(session).messages(ticket.conversation_id)
    asked = real_question(messages)
    question = request.query.get("q", "").strip()[:MAX_TEXT] or (asked.text if asked and asked.text else "")
    ranked = await suggest_articles(
        request.app[KNOWLEDGE_BASE], question, agent_replies(messages), bot_replies(messages)
    )
    return web.json_response(
        {
            "question": question,
            "articles": [
                {
                    "slug": article.slug,
                    "title": article.title,
                    "score": article.score,
                    "question_score": article.question_score,
                    "reply_score": article.reply_score,
                    "answered_by_bot": article.answered_by_bot,
                }
                for article in ranked
            ],
        }
    )


def routes() -> list[web.RouteDef]:
    return [web.get("/console/api/tickets/{ticket_id}/lesson-suggestion", lesson_suggestion)]


__all__ = ["routes"]
