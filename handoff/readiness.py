"""Liveness, readiness and the warm-up that makes "ready" mean a customer is answered at once.

``/livez`` answers 200 while this process serves: a supervisor restarts the gateway only when it
does not. ``/readyz`` answers 200 only when Rasa has parsed a message (its models are loaded), the
action server answers and this process's embedding model is loaded; otherwise 503 naming what is
not ready. ``/healthz`` is kept for the callers that know it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from handoff.keys import DESK, HUB, KNOWLEDGE_BASE, LIMITER, RASA, TELEGRAM, WARMTH
from handoff.rasa_client import RasaClient
from knowledge_base.embedding import Embedder

logger = logging.getLogger(__name__)
WARM_UP_TEXT = "hello"


class Warmth:
    """Whether the gateway's own embedding model is loaded; loading starts with the gateway."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.embedder_loaded = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._load())

    async def _load(self) -> None:
        await asyncio.to_thread(self.embedder.encode_one, WARM_UP_TEXT)
        self.embedder_loaded = True

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


async def parts(app: web.Application) -> dict[str, str]:
    """Each part's state in words: "ready" or why not."""
    rasa: RasaClient = app[RASA]
    # A parse, not /status: Rasa reports a model loaded long before its first message is quick.
    rasa_parse, actions_up = await asyncio.gather(rasa.parse(WARM_UP_TEXT), rasa.actions_healthy())
    warmth = app.get(WARMTH)
    return {
        "rasa": "ready" if rasa_parse is not None else "not answering (down, starting or loading its model)",
        "action_server": "ready" if actions_up else "not answering",
        "embedding_model": "ready" if warmth is not None and warmth.embedder_loaded else "loading",
    }


def _reported(app: web.Application) -> dict[str, Any]:
    """The parts that are reported but never required: web chat and the consoles work without them.

    Redis shared by replicas is one of them: without it each replica still serves its own customers and agents.
    """
    telegram, limiter, hub, desk = app.get(TELEGRAM), app.get(LIMITER), app.get(HUB), app.get(DESK)
    return {
        "telegram": telegram.state if telegram is not None else "off",
        "limits": limiter.state if limiter is not None else "off",
        "events": hub.state if hub is not None else "off",
        "presence": desk.presence.state if desk is not None else "off",
    }


async def livez(request: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    states = await parts(request.app)
    ready = all(state == "ready" for state in states.values())
    not_ready = [name for name, state in states.items() if state != "ready"]
    body = {"status": "ready" if ready else "not ready", "parts": states, "not_ready": not_ready}
    return web.json_response({**body, **_reported(request.app)}, status=200 if ready else 503)


async def healthz(request: web.Request) -> web.Response:
    rasa_ok = await request.app[RASA].healthy()
    return web.json_response(
        {"status": "ok" if rasa_ok else "degraded", "rasa": rasa_ok, **_reported(request.app)},
        status=200 if rasa_ok else 503,
    )


def routes() -> list[web.RouteDef]:
    return [web.get("/livez", livez), web.get("/readyz", readyz), web.get("/healthz", healthz)]


def start_warming(app: web.Application) -> Warmth:
    warmth = Warmth(app[KNOWLEDGE_BASE].embedder)
    warmth.start()
    app[WARMTH] = warmth
    return warmth


__all__ = ["routes", "start_warming"]
