"""The gateway as Rasa's model server: every Rasa replica pulls the active model from the database through here.

Rasa's side (rasa/core/agent.py, ``_pull_model_and_fingerprint``): every ``wait_time_between_pulls``
seconds it sends ``GET <url>`` with ``If-None-Match: <fingerprint of its model>`` and the fixed
``headers`` of its ``models:`` endpoint. 304 (or 204, 404, any other status, an unreachable server)
keeps the model it has; 200 hands it a new model: the body is saved as the response's ``filename``
header (which ``/status`` then reports as ``model_file``) and the ``ETag`` becomes its fingerprint.

So the ETag is the stored bytes' SHA-256: the same on every gateway replica, and it changes exactly
when another model is activated. The route is guarded by a bearer token derived from the internal
secret the gateway shares with Rasa, like the action server's (bot/signing.py): a model is code
Rasa will run.
"""

from __future__ import annotations

import hmac
from typing import Any

from aiohttp import web

from bot.signing import sign
from crm_store.db import unit_of_work
from crm_store.repositories import ModelFileRepository, ModelRecordRepository
from handoff.errors import ConfigurationError, InvalidToken, NotFound
from handoff.keys import SESSIONS, SETTINGS
from handoff.settings import Settings

MODEL_PATH = "/internal/model"
WAIT_TIME_BETWEEN_PULLS_S = 10  # how soon every replica runs a newly activated model; a 304 costs one small query


def model_server_token(secret: str) -> str:
    """The bearer token Rasa shows the gateway's model server (its own purpose key: useless anywhere else)."""
    return sign(secret, "models", b"rasa")


def model_server_endpoint(settings: Settings, gateway_url: str) -> dict[str, Any]:
    """The ``models:`` section of Rasa's endpoints.yml: pull the active model from the gateway at ``gateway_url``."""
    if not settings.internal_secret:
        raise ConfigurationError("INTERNAL_SECRET is not set: Rasa could not prove itself to the model server")
    return {
        "url": f"{gateway_url.rstrip('/')}{MODEL_PATH}",
        "headers": {"Authorization": f"Bearer {model_server_token(settings.internal_secret)}"},
        "wait_time_between_pulls": WAIT_TIME_BETWEEN_PULLS_S,
    }


def _check_token(request: web.Request) -> None:
    secret = request.app[SETTINGS].internal_secret
    if not secret:
        # Without a secret the token would be guessable: serve nobody rather than everybody.
        raise ConfigurationError("INTERNAL_SECRET is not set: the model server refuses every request")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise InvalidToken("the model server needs the bearer token from Rasa's models endpoint")
    if not hmac.compare_digest(token.strip(), model_server_token(secret)):
        raise InvalidToken("the model server's bearer token is wrong")


def _etag_matches(if_none_match: str, sha256: str) -> bool:
    """Whether the client already has this model: ``*``, or one of the (possibly weak, quoted) tags listed."""
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return any(tag == "*" or tag.removeprefix("W/").strip('"') == sha256 for tag in tags)


async def active_model(request: web.Request) -> web.Response:
    _check_token(request)
    async with unit_of_work(request.app[SESSIONS]) as session:
        files = ModelFileRepository(session)
        model = await files.active()
        if model is None:
            record = await ModelRecordRepository(session).active()
            raise NotFound(
                f"the active model {record.inputs_hash} is not in the model store"
                if record is not None
                else "no model is active yet"
            )
        etag = f'"{model.sha256}"'
        headers = {"ETag": etag, "filename": model.file_name, "Cache-Control": "no-cache"}
        if _etag_matches(request.headers.get("If-None-Match", ""), model.sha256):
            return web.Response(status=304, headers=headers)
        content = await files.content(model.inputs_hash)  # checked against its SHA-256: never serve damaged bytes
    if content is None:  # a stored model is never deleted; this only guards the contract
        raise NotFound(f"the model {model.file_name} left the model store")
    return web.Response(body=content, content_type="application/gzip", headers=headers)


def routes() -> list[web.RouteDef]:
    return [web.get(MODEL_PATH, active_model)]
