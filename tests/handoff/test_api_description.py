"""The OpenAPI description is valid, served, and describes exactly the JSON routes the gateway registers."""

from __future__ import annotations

import re
from pathlib import Path

import schemathesis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from crm_store.settings import StoreSettings
from handoff import api_description
from handoff.api_description import description
from handoff.app import create_app
from handoff.settings import Settings

# The JSON surfaces; pages, static files and the websockets are not described as operations.
DESCRIBED = re.compile(r"^/(api/|console/api/|trainer/api/|telegram/webhook$|healthz$|console/logout$)")


def _settings(tmp_path: Path) -> Settings:
    return Settings(store=StoreSettings(var_dir=tmp_path), demo_mode=True)


def test_the_description_is_valid_openapi() -> None:
    schema = schemathesis.openapi.from_dict(description())
    schema.validate()


def test_every_json_route_is_described_and_nothing_else(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path))
    registered = {
        (route.method.lower(), route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None and route.method != "HEAD" and DESCRIBED.match(route.resource.canonical)
    }
    described = {
        (method, path)
        for path, item in description()["paths"].items()
        for method in item
        if method in ("get", "post", "put", "delete", "patch")
    }
    assert registered == described


async def test_the_gateway_serves_it() -> None:
    app = web.Application()  # the route alone: the whole gateway would open its database and models
    app.add_routes(api_description.routes())
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/api/openapi.json")
        assert response.status == 200 and response.content_type == "application/json"
        assert await response.json() == description()
