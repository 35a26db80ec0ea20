"""Reviewing what agents taught: grouped candidates to approve (with edits) or reject, and unanswered questions."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from crm_store.db import unit_of_work
from crm_store.models import TrainingCandidate
from crm_store.repositories import UserRepository
from handoff.edge import MAX_ID, json_object_body, path_number
from handoff.errors import GatewayError, InvalidMessage
from handoff.keys import KNOWLEDGE_BASE, LEARNING, RASA, SESSIONS
from handoff.learning.review import CandidateContext, candidate_contexts, context_fields
from handoff.learning.unanswered import with_verdicts
from handoff.staff.sessions import require, signed_in_user
from handoff.trainer.pages import TRAINER_ROLES

MAX_GROUP = 200
GROUP_EDITS = ("target", "answer", "title", "drop_placeholders")


def _candidate(
    candidate: TrainingCandidate, names: dict[int, str], context: CandidateContext | None = None
) -> dict[str, Any]:
    return {
        **context_fields(context),
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
    learning = request.app[LEARNING]
    groups = await learning.pending_groups()
    names = await _names(request)
    contexts = await candidate_contexts(
        request.app[SESSIONS], await learning.scrubber(), [c for g in groups for c in g.candidates]
    )
    return web.json_response(
        {
            "groups": [
                {
                    "count": len(g.candidates),
                    "kind": g.kind,
                    "label": g.label,
                    "candidates": [_candidate(c, names, contexts.get(c.id)) for c in g.candidates],
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


def _group_body(body: dict[str, Any]) -> tuple[list[int], dict[str, Any]]:
    """``candidate_ids`` plus the edits every candidate shares; each keeps its own question."""
    ids = body.get("candidate_ids")
    if (
        not isinstance(ids, list)
        or not ids
        or len(ids) > MAX_GROUP
        or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i <= MAX_ID for i in ids)
    ):
        raise InvalidMessage(f"candidate_ids must be a list of 1 to {MAX_GROUP} candidate numbers")
    if "question" in body:
        raise InvalidMessage("question cannot be shared by a group: edit and approve that candidate on its own")
    if "drop_placeholders" in body and not isinstance(body["drop_placeholders"], bool):
        raise InvalidMessage("drop_placeholders must be true or false")
    edits = {key: body[key] for key in GROUP_EDITS if key in body}
    return list(dict.fromkeys(ids)), edits


@require(*TRAINER_ROLES)
async def approve_group(request: web.Request) -> web.Response:
    """One result per candidate, in order; the request succeeds even when some are refused (``approved`` says)."""
    user = await signed_in_user(request)
    ids, edits = _group_body(await json_object_body(request))
    results = await request.app[LEARNING].approve_group(ids, user, edits)
    names = await _names(request)
    return web.json_response(
        {
            "approved": sum(result.candidate is not None for result in results),
            "results": [
                {"id": r.candidate_id, "ok": True, "candidate": _candidate(r.candidate, names)}
                if r.candidate is not None
                else {"id": r.candidate_id, "ok": False, "error": _code(r.error), "message": _message(r.error)}
                for r in results
            ],
        }
    )


def _code(error: Exception | None) -> str:
    return str(getattr(error, "code", "error"))


def _message(error: Exception | None) -> str:
    return error.message if isinstance(error, GatewayError) else str(error)


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
    clusters = await request.app[LEARNING].unanswered_clusters()
    rasa = request.app[RASA]

    async def route(text: str) -> str | None:
        parsed = await rasa.parse(text)
        return parsed["name"] if parsed else None

    return web.json_response({"clusters": await with_verdicts(clusters, request.app[KNOWLEDGE_BASE], route)})


def routes() -> list[web.RouteDef]:
    base = "/trainer/api"
    return [
        web.get(f"{base}/candidates", candidates),
        web.post(base + "/candidates/{candidate_id}/approve", approve),
        web.post(f"{base}/candidates/approve-group", approve_group),
        web.post(base + "/candidates/{candidate_id}/reject", reject),
        web.get(f"{base}/unanswered", unanswered),
    ]
