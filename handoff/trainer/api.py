"""The trainer console's page and JSON API (roles trainer and admin)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

from crm_store.db import unit_of_work
from crm_store.errors import Conflict
from crm_store.errors import NotFound as StoreNotFound
from crm_store.models import TrainingCandidate, User
from crm_store.repositories import ArticleRepository
from handoff.console.pages import PAGE_HEADERS, page_values, render
from handoff.errors import GatewayError, InvalidMessage, NotFound
from handoff.keys import KNOWLEDGE_BASE, SESSIONS
from handoff.learning.candidates import LearningDesk
from handoff.learning.retraining import ModelManager
from handoff.schemas import json_object_body
from handoff.staff.sessions import require, signed_in_user
from knowledge_base.article_files import SLUG_PATTERN, STATUSES, ArticleData
from knowledge_base.editing import KnowledgeBaseEditor
from knowledge_base.errors import ArticleFileError
from knowledge_base.store import article_data

TRAINER_ROLES = ("trainer", "admin")
STATIC = Path(__file__).resolve().parent.parent / "web" / "trainer"
EDITOR = web.AppKey("kb_editor", KnowledgeBaseEditor)
LEARNING = web.AppKey("learning", LearningDesk)
MODELS = web.AppKey("models", ModelManager)


class ConflictError(GatewayError):
    code = "conflict"


def _number(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound(f"no such {name.removesuffix('_id')}")
    return int(raw)


def _candidate(candidate: TrainingCandidate, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": candidate.id,
        "kind": candidate.kind,
        "question": candidate.question,
        "answer": candidate.answer,
        "target": candidate.target,
        "title": None,
        "status": candidate.status,
        "ticket_id": candidate.ticket_id,
        "proposed_by": names.get(candidate.proposed_by_id or 0),
        "created_at": candidate.created_at.isoformat(),
    }


async def _names(request: web.Request) -> dict[int, str]:
    from sqlalchemy import select

    async with unit_of_work(request.app[SESSIONS]) as session:
        return {user_id: name for user_id, name in (await session.execute(select(User.id, User.display_name))).all()}


def _article_data(slug: str, body: dict[str, Any]) -> ArticleData:
    """Validated like a file: the same rules and messages naming the field."""
    from knowledge_base.article_files import parse_article

    if not isinstance(slug, str) or not SLUG_PATTERN.match(slug):
        raise InvalidMessage("slug must be lowercase letters, digits and dashes")
    document = {
        key: body.get(key)
        for key in ("title", "category", "answer", "questions", "tags", "status")
        if body.get(key) is not None
    }
    try:
        import yaml

        return parse_article(Path(f"{slug}.yml"), yaml.safe_dump(document))
    except ArticleFileError as error:
        raise InvalidMessage(f"{error.field or 'article'}: {error.message}") from None


def _article_json(data: ArticleData, version: int, origin: str) -> dict[str, Any]:
    return {
        **data.__dict__,
        "tags": list(data.tags),
        "questions": list(data.questions),
        "version": version,
        "origin": origin,
    }


async def _stored(request: web.Request, slug: str) -> dict[str, Any]:
    async with unit_of_work(request.app[SESSIONS]) as session:
        article = await ArticleRepository(session).by_slug(slug)
        if article is None:
            raise NotFound(f"no article {slug!r}")
        return _article_json(article_data(article), article.version, article.origin)


@require(*TRAINER_ROLES, page=True)
async def page(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    # The trainer page opens no websocket, so its policy allows none.
    headers = {
        **PAGE_HEADERS,
        "Content-Security-Policy": PAGE_HEADERS["Content-Security-Policy"].replace(" ws: wss:", ""),
    }
    return render(STATIC / "trainer.html", page_values(request, user), headers)


@require(*TRAINER_ROLES)
async def me(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    return web.json_response(
        {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role}
    )


@require(*TRAINER_ROLES)
async def candidates(request: web.Request) -> web.Response:
    groups = await request.app[LEARNING].pending_groups()
    names = await _names(request)
    return web.json_response(
        {
            "groups": [
                {
                    "count": len(g.candidates),
                    "kind": g.kind,
                    "label": g.label,
                    "candidates": [_candidate(c, names) for c in g.candidates],
                }
                for g in groups
            ]
        }
    )


@require(*TRAINER_ROLES)
async def approve(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    edits = await json_object_body(request)
    try:
        candidate = await request.app[LEARNING].approve(_number(request, "candidate_id"), user, edits)
    except (StoreNotFound, Conflict) as error:
        raise InvalidMessage(str(error)) from None
    return web.json_response({"candidate": _candidate(candidate, await _names(request))})


@require(*TRAINER_ROLES)
async def reject(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    note = (await json_object_body(request)).get("note")
    try:
        candidate = await request.app[LEARNING].reject(
            _number(request, "candidate_id"), user, str(note)[:2000] if note else None
        )
    except StoreNotFound as error:
        raise NotFound(str(error)) from None
    return web.json_response({"candidate": _candidate(candidate, await _names(request))})


@require(*TRAINER_ROLES)
async def unanswered(request: web.Request) -> web.Response:
    return web.json_response({"clusters": await request.app[LEARNING].unanswered_clusters()})


@require(*TRAINER_ROLES)
async def articles(request: web.Request) -> web.Response:
    status = request.query.get("status", "all")
    statuses = None if status == "all" else [status]
    if statuses and status not in STATUSES:
        raise InvalidMessage(f"status must be all or one of {', '.join(STATUSES)}")
    async with unit_of_work(request.app[SESSIONS]) as session:
        rows = await ArticleRepository(session).all(statuses=statuses)
        listing = [
            {
                "slug": a.slug,
                "title": a.title,
                "category": a.category,
                "status": a.status,
                "version": a.version,
                "origin": a.origin,
                "updated_at": a.updated_at.isoformat(),
            }
            for a in rows
        ]
    return web.json_response({"articles": listing})


@require(*TRAINER_ROLES)
async def article(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    stored = await _stored(request, slug)
    history = await request.app[EDITOR].history(slug)
    return web.json_response(
        {
            "article": stored,
            "history": [
                {"version": v.version, "at": v.created_at.isoformat(), "actor": v.actor, "summary": v.summary}
                for v in history
            ],
        }
    )


@require(*TRAINER_ROLES)
async def create_article(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    body = await json_object_body(request)
    data = _article_data(str(body.get("slug") or ""), body)
    try:
        await request.app[EDITOR].create(data, user.username)
    except Conflict as error:
        raise ConflictError(str(error)) from None
    return web.json_response({"article": await _stored(request, data.slug)}, status=201)


@require(*TRAINER_ROLES)
async def update_article(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    body = await json_object_body(request)
    slug = request.match_info["slug"]
    base = body.get("base_version")
    if base is not None and (not isinstance(base, int) or isinstance(base, bool)):
        raise InvalidMessage("base_version must be a number")
    try:
        await request.app[EDITOR].update(_article_data(slug, body), user.username, base_version=base)
    except Conflict as error:
        raise ConflictError(str(error)) from None
    except StoreNotFound as error:
        raise NotFound(str(error)) from None
    return web.json_response({"article": await _stored(request, slug)})


@require(*TRAINER_ROLES)
async def set_status(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    status = (await json_object_body(request)).get("status")
    if status not in STATUSES:
        raise InvalidMessage(f"status must be one of {', '.join(STATUSES)}")
    slug = request.match_info["slug"]
    try:
        await request.app[EDITOR].set_status(slug, str(status), user.username)
    except StoreNotFound as error:
        raise NotFound(str(error)) from None
    return web.json_response({"article": await _stored(request, slug)})


@require(*TRAINER_ROLES)
async def diff(request: web.Request) -> web.Response:
    try:
        first, second = int(request.query["from"]), int(request.query["to"])
    except (KeyError, ValueError):
        raise InvalidMessage("from and to must be version numbers") from None
    try:
        changes = await request.app[EDITOR].diff(request.match_info["slug"], first, second)
    except StoreNotFound as error:
        raise NotFound(str(error)) from None
    return web.json_response({"diff": changes})


@require(*TRAINER_ROLES)
async def revert(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    version = (await json_object_body(request)).get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidMessage("version must be a number")
    slug = request.match_info["slug"]
    try:
        await request.app[EDITOR].revert(slug, version, user.username)
    except StoreNotFound as error:
        raise NotFound(str(error)) from None
    return web.json_response({"article": await _stored(request, slug)})


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
            },
            "hits": [h.__dict__ for h in hits],
        }
    )


def _model_json(record: Any) -> dict[str, Any]:
    return {
        "id": record.id,
        "file": record.file_name,
        "status": record.status,
        "created_at": record.created_at.isoformat(),
        "activated_at": record.activated_at.isoformat() if record.activated_at else None,
        "actor": record.actor,
        "note": record.note,
        "figures": record.figures or {},
        "baseline": record.baseline,
    }


@require(*TRAINER_ROLES)
async def models(request: web.Request) -> web.Response:
    manager = request.app[MODELS]
    records = await manager.records()
    active = next((r for r in records if r.status == "active"), None)
    return web.json_response(
        {
            "active": _model_json(active) if active else None,
            "models": [_model_json(r) for r in records],
            "training": manager.training.as_dict(),
        }
    )


@require(*TRAINER_ROLES)
async def retrain(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    state = request.app[MODELS].start_retrain(user.username)
    return web.json_response({"training": state.as_dict()}, status=202)


@require(*TRAINER_ROLES)
async def activate(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    try:
        record = await request.app[MODELS].activate(_number(request, "model_id"), user.username)
    except StoreNotFound as error:
        raise NotFound(str(error)) from None
    return web.json_response({"model": _model_json(record)})


async def to_trainer(request: web.Request) -> web.Response:
    raise web.HTTPFound("/trainer/")


def routes() -> list[web.AbstractRouteDef]:
    base = "/trainer/api"
    return [
        web.get("/trainer", to_trainer),
        web.get("/trainer/", page),
        web.static("/trainer/static", STATIC),
        web.get(f"{base}/me", me),
        web.get(f"{base}/candidates", candidates),
        web.post(base + "/candidates/{candidate_id}/approve", approve),
        web.post(base + "/candidates/{candidate_id}/reject", reject),
        web.get(f"{base}/unanswered", unanswered),
        web.get(f"{base}/articles", articles),
        web.post(f"{base}/articles", create_article),
        web.get(base + "/articles/{slug}", article),
        web.put(base + "/articles/{slug}", update_article),
        web.post(base + "/articles/{slug}/status", set_status),
        web.get(base + "/articles/{slug}/diff", diff),
        web.post(base + "/articles/{slug}/revert", revert),
        web.get(f"{base}/try", try_question),
        web.get(f"{base}/models", models),
        web.post(f"{base}/models/retrain", retrain),
        web.post(base + "/models/{model_id}/activate", activate),
    ]
