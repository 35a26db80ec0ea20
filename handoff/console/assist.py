"""What helps an agent answer: who they are, colleagues to transfer to, knowledge-base suggestions, canned replies."""

from __future__ import annotations

from aiohttp import web

from crm_store.db import unit_of_work
from crm_store.repositories import UserRepository
from handoff.desk import canned as canned_responses
from handoff.edge import query_language
from handoff.keys import DESK, KNOWLEDGE_BASES, SESSIONS
from handoff.schemas import MAX_TEXT
from handoff.staff.sessions import require, signed_in_user, whoami

AGENT_ROLES = ("agent", "admin")


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
    # In the ticket's language: a Chinese customer's question finds the articles' Chinese versions.
    knowledge_base = request.app[KNOWLEDGE_BASES].for_language(query_language(request))
    hits = await knowledge_base.search(question, limit=4) if question.strip() else []
    return web.json_response(
        {"hits": [{"slug": h.slug, "title": h.title, "answer": h.answer, "score": h.score} for h in hits]}
    )


@require(*AGENT_ROLES)
async def canned(request: web.Request) -> web.Response:
    """The canned responses in the ticket's language (``language``, en when absent)."""
    language = query_language(request)
    return web.json_response(canned_responses.load().in_language(language))


def routes() -> list[web.RouteDef]:
    return [
        web.get("/console/api/me", me),
        web.get("/console/api/agents", agents),
        web.get("/console/api/kb/suggest", kb_suggest),
        web.get("/console/api/canned", canned),
    ]


__all__ = ["routes"]
