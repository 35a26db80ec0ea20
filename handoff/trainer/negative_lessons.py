"""Negative lessons from the trainer console: "this answer was wrong for this question", "nothing answers this"."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from crm_store.models import NegativeLesson
from handoff.edge import json_object_body, path_number
from handoff.errors import InvalidMessage
from handoff.keys import EDITOR
from handoff.staff.sessions import require, signed_in_user
from handoff.trainer.pages import TRAINER_ROLES
from knowledge_base.article_files import SLUG_PATTERN
from knowledge_base.editing import MAX_LESSON_CHARS


def lesson_json(lesson: NegativeLesson) -> dict[str, Any]:
    return {
        "id": lesson.id,
        "question": lesson.question,
        "article_slug": lesson.article_slug,
        "actor": lesson.actor,
        "created_at": lesson.created_at.isoformat(),
    }


def lesson_fields(body: dict[str, Any]) -> tuple[str, str | None]:
    """The question and the article it must not be answered with (None: with any); the message names the field."""
    question = body.get("question")
    if not isinstance(question, str) or not question.strip():
        raise InvalidMessage("question is required")
    if len(question) > MAX_LESSON_CHARS:
        raise InvalidMessage(f"question is longer than {MAX_LESSON_CHARS} characters")
    slug = body.get("article_slug")
    if slug is not None and (not isinstance(slug, str) or not SLUG_PATTERN.match(slug)):
        raise InvalidMessage("article_slug must be an article's slug, or null for 'nothing we have answers this'")
    return question, slug


@require(*TRAINER_ROLES)
async def list_lessons(request: web.Request) -> web.Response:
    lessons = await request.app[EDITOR].negative_lessons()
    return web.json_response({"lessons": [lesson_json(lesson) for lesson in lessons]})


@require(*TRAINER_ROLES)
async def add_lesson(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    question, slug = lesson_fields(await json_object_body(request))
    lesson = await request.app[EDITOR].add_negative_lesson(question, slug, user.username)
    return web.json_response({"lesson": lesson_json(lesson)}, status=201)


@require(*TRAINER_ROLES)
async def remove_lesson(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    await request.app[EDITOR].remove_negative_lesson(path_number(request, "lesson_id"), user.username)
    return web.json_response({"removed": True})


def routes() -> list[web.RouteDef]:
    base = "/trainer/api/negative-lessons"
    return [
        web.get(base, list_lessons),
        web.post(base, add_lesson),
        web.delete(base + "/{lesson_id}", remove_lesson),
    ]
