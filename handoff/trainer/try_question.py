"""'Try a question': the ranked knowledge-base matches and scores the bot would use, and its verdict."""

from __future__ import annotations

from aiohttp import web

from handoff.keys import KNOWLEDGE_BASE
from handoff.staff.sessions import require
from handoff.trainer.pages import TRAINER_ROLES


@require(*TRAINER_ROLES)
async def try_question(request: web.Request) -> web.Response:
    knowledge_base = request.app[KNOWLEDGE_BASE]
    question = request.query.get("q", "")[:2000]
    outcome = await knowledge_base.answer(question, suggestions=5) if question.strip() else None
    hits = await knowledge_base.search(question, limit=5) if question.strip() else []
    index_normalised = knowledge_base._index.normalise(question) if knowledge_base._index is not None else question
    return web.json_response(
        {
            "verdict": outcome.verdict if outcome else "none",
            "normalised": index_normalised,
            "thresholds": {
                "answer_threshold": knowledge_base.answer_threshold,
                "suggest_threshold": knowledge_base.suggest_threshold,
                "answer_margin": knowledge_base.answer_margin,
            },
            "hits": [h.__dict__ for h in hits],
        }
    )


def routes() -> list[web.RouteDef]:
    return [web.get("/trainer/api/try", try_question)]
