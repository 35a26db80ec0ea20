"""The NLU lessons in force, for the trainer: as JSON to read, or as the Rasa NLU file a retrain trains on."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from crm_store.db import unit_of_work
from crm_store.repositories import UserRepository
from handoff.keys import SESSIONS
from handoff.learning.nlu_lessons import Lesson, approved_lessons, to_rasa_yaml
from handoff.staff.sessions import require
from handoff.trainer.pages import TRAINER_ROLES


def _lesson(lesson: Lesson, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": lesson.id,
        "intent": lesson.intent,
        "text": lesson.text,
        "automatic": lesson.automatic,
        "approved_by": names.get(lesson.approved_by_id or 0),
        "approved_at": lesson.approved_at.isoformat() if lesson.approved_at else None,
    }


@require(*TRAINER_ROLES)
async def lessons(request: web.Request) -> web.Response:
    sessions = request.app[SESSIONS]
    found = await approved_lessons(sessions)
    async with unit_of_work(sessions) as session:
        names = await UserRepository(session).display_names()
    return web.json_response({"count": len(found), "lessons": [_lesson(lesson, names) for lesson in found]})


@require(*TRAINER_ROLES)
async def lessons_yaml(request: web.Request) -> web.Response:
    text = to_rasa_yaml(await approved_lessons(request.app[SESSIONS]))
    return web.Response(
        text=text,
        content_type="application/x-yaml",
        headers={"Content-Disposition": 'attachment; filename="nlu-lessons.yml"'},
    )


def routes() -> list[web.RouteDef]:
    return [
        web.get("/trainer/api/nlu-lessons", lessons),
        web.get("/trainer/api/nlu-lessons.yml", lessons_yaml),
    ]
