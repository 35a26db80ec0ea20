"""The OpenAPI description is valid, served, describes exactly the JSON routes the gateway registers, and
is exact enough that the end-to-end schemathesis run (tests/e2e/test_api_schema.py) proves something."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests
import schemathesis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crm_store.settings import StoreSettings
from handoff import api_description
from handoff.api_description import description
from handoff.app import create_app
from handoff.settings import Settings
from tests.handoff.gateway import cookie_session, running_gateway

# The JSON surfaces and the sign-in form; pages, static files and the websockets are not described as operations.
DESCRIBED = re.compile(
    r"^/(api/|console/api/|trainer/api/|reports/api/|reports/export\.csv$|telegram/webhook$|healthz$|livez$|readyz$|"
    r"console/login$|console/logout$)"
)


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


# Loose schemas prove nothing ----------------------------------------------------------------------

OPERATIONS = ("get", "post", "put", "delete", "patch")
CHECKS = [status_code_conformance, content_type_conformance, response_headers_conformance, response_schema_conformance]


def _resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = _at(node["$ref"])
    return node


def _at(ref: str) -> Any:
    node: Any = description()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _response_schemas() -> Iterator[tuple[str, Any]]:
    """(where, schema) for every JSON or YAML answer of every operation."""
    for path, item in description()["paths"].items():
        for method, operation in item.items():
            if method not in OPERATIONS:
                continue
            for status, response in operation["responses"].items():
                for media_type, content in _resolve(response).get("content", {}).items():
                    if media_type in ("application/json", "application/x-yaml"):
                        yield f"{method.upper()} {path} {status}", content["schema"]


def _objects(schema: Any, seen: set[int]) -> Iterator[dict[str, Any]]:
    """Every object schema inside ``schema``, through references, allOf/oneOf and nested properties."""
    schema = _resolve(schema)
    if not isinstance(schema, dict) or id(schema) in seen:
        return
    seen.add(id(schema))
    if schema.get("type") == "object":
        yield schema
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key, []):
            yield from _objects(part, seen)
    for child in schema.get("properties", {}).values():
        yield from _objects(child, seen)
    for key in ("items", "additionalProperties"):
        yield from _objects(schema.get(key), seen)


def test_every_answer_names_its_fields() -> None:
    """A bare ``type: object`` lets any answer through: each object says its properties or its values' type."""
    loose = [
        where
        for where, schema in _response_schemas()
        for found in _objects(schema, set())
        if "properties" not in found and "additionalProperties" not in found
    ]
    assert loose == []


def test_every_error_body_is_the_edge_shape_with_its_codes() -> None:
    """4xx answers are exactly {"error", "message"}, as handoff/edge.py renders them, with the codes listed."""
    for where, schema in _response_schemas():
        if where.split()[-1].startswith("4"):
            body = _resolve(schema)
            assert body["additionalProperties"] is False and body["required"] == ["error", "message"], where
            assert body["properties"]["error"]["enum"], where


@pytest.mark.parametrize(("method", "path"), [("post", "/api/chat/messages"), ("post", "/console/login")])
def test_where_a_limit_applies_429_and_retry_after_are_described(method: str, path: str) -> None:
    answer = _resolve(description()["paths"][path][method]["responses"]["429"])
    assert _resolve(answer["headers"]["Retry-After"])["required"] is True


def test_the_login_form_is_described_as_a_form() -> None:
    body = description()["paths"]["/console/login"]["post"]["requestBody"]["content"]
    form = body["application/x-www-form-urlencoded"]["schema"]
    assert set(form["required"]) == {"username", "password", "csrf_token"}


# The check the end-to-end run relies on really looks at the body ----------------------------------


def _answer(status: int, body: object) -> schemathesis.Response:
    return schemathesis.Response(
        status_code=status,
        headers={"content-type": ["application/json; charset=utf-8"]},
        content=json.dumps(body).encode(),
        request=requests.Request("GET", "http://gateway.test/console/api/queue").prepare(),
        elapsed=0.0,
        verify=True,
    )


QUEUED = {
    "id": 1,
    "status": "queued",
    "reason": "asked_for_agent",
    "priority": 0,
    "customer_name": None,
    "customer_tier": None,
    "channel": "web",
    "preview": "where is my order",
    "created_at": "2026-01-05T10:00:00+00:00",
    "waiting_seconds": 30,
    "sla_due_at": None,
    "agent": None,
    "reserved_for": None,
    "language": "zh",
}


def _validate(path: str, method: str, response: schemathesis.Response) -> None:
    schema = schemathesis.openapi.from_dict(description())
    case = schema[path][method].Case()
    case.validate_response(response, checks=CHECKS)


def test_a_conforming_answer_passes() -> None:
    _validate("/console/api/queue", "GET", _answer(200, {"tickets": [QUEUED], "agents_online": 1}))


@pytest.mark.parametrize(
    "body",
    [
        {"tickets": [QUEUED], "agents_online": 1, "debug": True},  # a field the handler never writes
        {"tickets": [{**QUEUED, "status": "resolved"}], "agents_online": 1},  # not a state the queue holds
        {"tickets": [{**QUEUED, "created_at": "yesterday"}], "agents_online": 1},  # not a date-time
        {"tickets": [{k: v for k, v in QUEUED.items() if k != "agent"}], "agents_online": 1},  # a field missing
    ],
)
def test_an_answer_that_breaks_its_schema_fails_the_check(body: dict[str, Any]) -> None:
    with pytest.raises(FailureGroup):
        _validate("/console/api/queue", "GET", _answer(200, body))


def test_an_error_body_beyond_the_edge_shape_fails_the_check() -> None:
    with pytest.raises(FailureGroup):
        _validate("/console/api/queue", "GET", _answer(401, {"error": "not_signed_in", "message": "x", "trace": "…"}))


# The 429s as the gateway really sends them (the end-to-end run stays under the limits) -------------


async def _as_schemathesis(response: aiohttp.ClientResponse) -> schemathesis.Response:
    return schemathesis.Response(
        status_code=response.status,
        headers={name.lower(): [value] for name, value in response.headers.items()},
        content=await response.read(),
        request=requests.Request(response.method, str(response.url)).prepare(),
        elapsed=0.0,
        verify=True,
    )


async def test_a_chat_message_over_a_limit_is_the_described_429(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with (
        running_gateway(database_url, tmp_path, chat_new_conversations_limit="1/minute") as gateway,
        aiohttp.ClientSession() as http,
    ):
        for n, status in enumerate((200, 429)):
            message = {"client_id": f"limit-check-{n}", "text": "hello"}
            async with http.post(gateway.url("/api/chat/messages"), json=message) as response:
                assert response.status == status, await response.text()
                _validate("/api/chat/messages", "POST", await _as_schemathesis(response))


async def test_a_sign_in_over_a_limit_is_the_described_429(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with running_gateway(database_url, tmp_path, login_limit_per_account="1/minute") as gateway:
        for status in (200, 429):  # a wrong password (the form again), then the pause
            async with cookie_session() as http:
                async with http.get(gateway.url("/console/login")) as page:
                    token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
                    assert token is not None
                form = {"username": "nobody", "password": "guess", "csrf_token": token.group(1)}
                async with http.post(gateway.url("/console/login"), data=form, allow_redirects=False) as response:
                    assert response.status == status
                    _validate("/console/login", "POST", await _as_schemathesis(response))
