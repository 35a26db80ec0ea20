"""The trainer console: review what the bot should learn, edit the knowledge base, retrain and ship models."""

from __future__ import annotations

from aiohttp import web


def routes() -> list[web.AbstractRouteDef]:
    from handoff.trainer import articles, candidates, models, negative_lessons, nlu_lessons, pages, try_question

    return [
        *pages.routes(),
        *candidates.routes(),
        *articles.routes(),
        *try_question.routes(),
        *models.routes(),
        *negative_lessons.routes(),
        *nlu_lessons.routes(),
    ]
