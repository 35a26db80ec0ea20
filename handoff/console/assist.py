"""What helps an agent answer: who they are, colleagues to transfer to, knowledge-base suggestions, canned replies."""

from __future__ import annotations

from pathlib import Path

import yaml
from aiohttp import web

from crm_store.db import unit_of_work
from crm_store.repositories import UserRepository
from handoff.keys import DESK, KNOWLEDGE_BASE, SESSIONS
from handoff.schemas import MAX_TEXT
from handoff.staff.sessions import require, signed_in_user, whoami

AGENT_ROLES = ("agent", "admin")
CANNED_FILE = Path(__file__).resolve().parent.parent / "desk" / "canned_responses.yml"


@require(*AGENT_ROLES)
async def me(request: web.Request) -> web.Response:
    return web.json_response(whoami(await signed_in_user(request)))


@require(*AGENT_ROLES)
async def agents(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    online = await request.app[DESK].presence.online()
    async with unit_of_work(request.app[SESSIONS]) as session:
        people = await UserRepository(session).with_roles(AGENT_ROLES)
    colleagues = [
        {"id": p.id, "display_name": p.display_name, "online": p.id in online} for p in people if p.id != user.id
    ]
    return web.json_response({"agents": colleagues})


@require(*AGENT_ROLES)
async def kb_suggest(request: web.Request) -> web.Response:
    question = request.query.get("q", "")[:MAX_TEXT]
    hits = await request.app[KNOWLEDGE_BASE].search(question, limit=4) if question.strip() else []
    return web.json_response(
        {"hits": [{"slug": h.slug, "title": h.title, "answer": h.answer, "score": h.score} for h in hits]}
    )


@require(*AGENT_ROLES)
async def canned(request: web.Request) -> web.Response:
    responses = yaml.safe_load(CANNED_FILE.read_text(encoding="utf-8")) or []
    return web.json_response({"responses": responses})


def routes() -> list[web.RouteDef]:
    return [
        web.get("/console/api/me", me),
        web.get("/console/api/agents", agents),
        web.get("/console/api/kb/suggest", kb_suggest),
        web.get("/console/api/canned", canned),
    ]


__all__ = ["routes"]
