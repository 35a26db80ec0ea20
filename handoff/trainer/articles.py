"""The knowledge-base editor: list, read, create and edit articles, publish or archive, history, diff, revert."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from crm_store.db import unit_of_work
from crm_store.repositories import ArticleRepository
from handoff.edge import id_number, json_object_body
from handoff.errors import InvalidMessage, NotFound
from handoff.keys import EDITOR, SESSIONS
from handoff.staff.sessions import require, signed_in_user
from handoff.trainer.pages import TRAINER_ROLES
from knowledge_base.article_files import (
    SLUG_PATTERN,
    STATUSES,
    TRANSLATION_LANGUAGES,
    ArticleData,
    parse_article,
    translations_from,
)
from knowledge_base.errors import ArticleFileError
from knowledge_base.store import article_data


def _article_data(slug: str, body: dict[str, Any]) -> ArticleData:
    """Validated like a file: the same rules and messages naming the field."""
    if not isinstance(slug, str) or not SLUG_PATTERN.match(slug):
        raise InvalidMessage("slug must be lowercase letters, digits and dashes")
    document = {
        key: body.get(key)
        for key in ("title", "category", "answer", "questions", "tags", "status", *TRANSLATION_LANGUAGES)
        if body.get(key) is not None
    }
    try:
        return parse_article(Path(f"{slug}.yml"), yaml.safe_dump(document))
    except ArticleFileError as error:
        raise InvalidMessage(f"{error.field or 'article'}: {error.message}") from None


def _languages(translations: Any) -> list[str]:
    """English always, then the languages the article is also written in (so a list shows what is missing)."""
    return ["en", *sorted(translations_from(translations))]


def _edit_summary(before: ArticleData, after: ArticleData) -> str:
    """What an edit changed, for the history: the English text, the Chinese version, or both."""
    english = replace(before, translations={}).content_hash != replace(after, translations={}).content_hash
    old, new = before.translations.get("zh"), after.translations.get("zh")
    if old == new:
        return "edited"
    if old is None:
        chinese = "added the Chinese version"
    elif new is None:
        chinese = "removed the Chinese version"
    else:
        chinese = "edited the Chinese version"
    return f"edited; {chinese}" if english else chinese


def _version_number(value: Any, field: str) -> int:
    return id_number(value, field)


def _article_json(data: ArticleData, version: int, origin: str) -> dict[str, Any]:
    return {
        **data.__dict__,
        "tags": list(data.tags),
        "questions": list(data.questions),
        "translations": data.translations_as_dict(),
        "version": version,
        "origin": origin,
    }


async def _stored(request: web.Request, slug: str) -> dict[str, Any]:
    async with unit_of_work(request.app[SESSIONS]) as session:
        article = await ArticleRepository(session).by_slug(slug)
        if article is None:
            raise NotFound(f"no article {slug!r}")
        return _article_json(article_data(article), article.version, article.origin)


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
                "languages": _languages(a.translations),
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
    await request.app[EDITOR].create(data, user.username)
    return web.json_response({"article": await _stored(request, data.slug)}, status=201)


@require(*TRAINER_ROLES)
async def update_article(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    body = await json_object_body(request)
    slug = request.match_info["slug"]
    base = body.get("base_version")
    base = None if base is None else _version_number(base, "base_version")
    data = _article_data(slug, body)
    current = await request.app[EDITOR].current(slug)
    if not any(language in body for language in TRANSLATION_LANGUAGES):
        # An edit of the English text keeps the Chinese version (a client that does not show it never drops it).
        # "zh": null is not leaving it out: that removes the Chinese version.
        data = replace(data, translations=current.translations)
    await request.app[EDITOR].update(data, user.username, base_version=base, summary=_edit_summary(current, data))
    return web.json_response({"article": await _stored(request, slug)})


@require(*TRAINER_ROLES)
async def set_status(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    status = (await json_object_body(request)).get("status")
    if status not in STATUSES:
        raise InvalidMessage(f"status must be one of {', '.join(STATUSES)}")
    slug = request.match_info["slug"]
    await request.app[EDITOR].set_status(slug, str(status), user.username)
    return web.json_response({"article": await _stored(request, slug)})


@require(*TRAINER_ROLES)
async def diff(request: web.Request) -> web.Response:
    first, second = (request.query.get(name, "") for name in ("from", "to"))
    if not (first.isascii() and first.isdigit() and second.isascii() and second.isdigit()):
        raise InvalidMessage("from and to must be version numbers")
    changes = await request.app[EDITOR].diff(
        request.match_info["slug"], id_number(int(first), "from"), id_number(int(second), "to")
    )
    return web.json_response({"diff": changes})


@require(*TRAINER_ROLES)
async def revert(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    version = _version_number((await json_object_body(request)).get("version"), "version")
    slug = request.match_info["slug"]
    await request.app[EDITOR].revert(slug, version, user.username)
    return web.json_response({"article": await _stored(request, slug)})


def routes() -> list[web.RouteDef]:
    base = "/trainer/api/articles"
    return [
        web.get(base, articles),
        web.post(base, create_article),
        web.get(base + "/{slug}", article),
        web.put(base + "/{slug}", update_article),
        web.post(base + "/{slug}/status", set_status),
        web.get(base + "/{slug}/diff", diff),
        web.post(base + "/{slug}/revert", revert),
    ]
