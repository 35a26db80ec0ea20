"""The gateway's OpenAPI description (handoff/openapi.yaml), served as JSON at ``/api/openapi.json``.

One YAML file in the repository is the description people read and edit; tests check it against the
routes the gateway registers and, with schemathesis, against the running gateway's answers.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

DESCRIPTION_FILE = Path(__file__).resolve().parent / "openapi.yaml"
PATH = "/api/openapi.json"


@cache
def description() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DESCRIPTION_FILE.read_text(encoding="utf-8"))
    return loaded


@cache
def _as_json() -> str:
    return json.dumps(description())


async def openapi_json(request: web.Request) -> web.Response:
    return web.Response(text=_as_json(), content_type="application/json")


def routes() -> list[web.RouteDef]:
    return [web.get(PATH, openapi_json)]


__all__ = ["DESCRIPTION_FILE", "description", "routes"]
