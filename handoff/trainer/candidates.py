"""Reviewing what agents taught: grouped candidates to approve (with edits) or reject, and unanswered questions."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from crm_store.db import unit_of_work
from crm_store.models import TrainingCandidate
from crm_store.repositories import UserRepository
from handoff.edge import json_object_body, path_number
from handoff.keys import LEARNING, SESSIONS
from handoff.staff.sessions import require, signed_in_user
from handoff.trainer.pages import TRAINER_ROLES


def _candidate(candidate: TrainingCandidate, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": candidate.id,
        "kind": candidate.kind,
        "question": candidate.question,
        "answer": candidate.answer,
        "target": candidate.target,
        "title": None,
        "status": candidate.status,
        "note": candidate.review_note,  # e.g. the routing check's "the bot reads this as …"
        "ticket_id": candidate.ticket_id,
        "proposed_by": names.get(candidate.proposed_by_id or 0),
        "created_at": candidate.created_at.isoformat(),
    }


async def _names(request: web.Request) -> dict[int, str]:
    async with unit_of_work(request.app[SESSIONS]) as session:
        return await UserRepository(session).display_names()


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
    candidate = await request.app[LEARNING].approve(path_number(request, "candidate_id"), user, edits)
    return web.json_response({"candidate": _candidate(candidate, await _names(request))})


@require(*TRAINER_ROLES)
async def reject(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    note = (await json_object_body(request)).get("note")
    candidate = await request.app[LEARNING].reject(
        path_number(request, "candidate_id"), user, str(note)[:2000] if note else None
    )
    return web.json_response({"candidate": _candidate(candidate, await _names(request))})


@require(*TRAINER_ROLES)
async def unanswered(request: web.Request) -> web.Response:
    return web.json_response({"clusters": await request.app[LEARNING].unanswered_clusters()})


def routes() -> list[web.RouteDef]:
    base = "/trainer/api"
    return [
        web.get(f"{base}/candidates", candidates),
        web.post(base + "/candidates/{candidate_id}/approve", approve),
        web.post(base + "/candidates/{candidate_id}/reject", reject),
        web.get(f"{base}/unanswered", unanswered),
    ]
