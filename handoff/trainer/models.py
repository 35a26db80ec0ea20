"""Trained models: the record of each (figures, gate verdict, taught questions), retraining in the background, rollback."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from handoff.edge import path_number
from handoff.keys import MODELS
from handoff.learning.lesson_report import rows_of
from handoff.learning.retraining import numbers
from handoff.staff.sessions import require, signed_in_user
from handoff.trainer.pages import TRAINER_ROLES


def _model_json(record: Any) -> dict[str, Any]:
    return {
        "id": record.id,
        "file": record.file_name,
        "status": record.status,
        "created_at": record.created_at.isoformat(),
        "activated_at": record.activated_at.isoformat() if record.activated_at else None,
        "actor": record.actor,
        "note": record.note,
        "figures": numbers(record.figures),
        "baseline": numbers(record.baseline) if record.baseline is not None else None,
        "taught": rows_of(record.figures),  # each taught question: intent before → after, fixed or not
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
    record = await request.app[MODELS].activate(path_number(request, "model_id"), user.username)
    return web.json_response({"model": _model_json(record)})


def routes() -> list[web.RouteDef]:
    base = "/trainer/api/models"
    return [
        web.get(base, models),
        web.post(f"{base}/retrain", retrain),
        web.post(base + "/{model_id}/activate", activate),
    ]
