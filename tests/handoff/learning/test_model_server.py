"""The gateway's model server speaks Rasa's model-pulling protocol: ETag, If-None-Match, 304, 404, a bearer token.

The route alone on the test's database (the whole gateway would load the embedding model); that Rasa itself
pulls through it is tests/e2e/test_model_pulling.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from crm_store.db import unit_of_work
from crm_store.models import ModelRecord
from crm_store.settings import StoreSettings
from handoff.app import create_app
from handoff.edge import errors_as_json
from handoff.keys import SESSIONS, SETTINGS
from handoff.learning import model_server
from handoff.learning.model_server import MODEL_PATH, model_server_endpoint, model_server_token
from handoff.learning.model_store import record_active
from handoff.settings import Settings
from tests.handoff.learning.test_model_store import make_model_archive

SECRET = "an-internal-secret-of-at-least-32-characters"


def _settings(tmp_path: Path, secret: str = SECRET) -> Settings:
    return Settings(store=StoreSettings(var_dir=tmp_path), internal_secret=secret)


@pytest.fixture
async def client(sessions, tmp_path: Path) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    app = web.Application(middlewares=[errors_as_json])
    app[SETTINGS] = _settings(tmp_path)
    app[SESSIONS] = sessions
    app.add_routes(model_server.routes())
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def _rasa_headers(tmp_path: Path) -> dict[str, str]:
    """The headers Rasa sends: the ones model_server_endpoint puts in its endpoints file."""
    return dict(model_server_endpoint(_settings(tmp_path), "http://gateway")["headers"])


def test_the_endpoints_section_points_rasa_at_the_route_with_its_token(tmp_path: Path) -> None:
    section = model_server_endpoint(_settings(tmp_path), "http://10.0.0.5:8080/")
    assert section["url"] == f"http://10.0.0.5:8080{MODEL_PATH}"
    assert section["wait_time_between_pulls"] == 10
    assert section["headers"]["Authorization"].startswith("Bearer ")
    assert SECRET not in section["headers"]["Authorization"], "a derived token, never the secret itself"
    other = model_server_endpoint(_settings(tmp_path, "another-secret-of-at-least-32-characters!"), "http://x")
    assert other["headers"] != section["headers"]


def test_the_gateway_registers_the_route(tmp_path: Path) -> None:
    app = create_app(replace(_settings(tmp_path), widget_secret="w" * 32))
    assert ("GET", MODEL_PATH) in {
        (route.method, route.resource.canonical) for route in app.router.routes() if route.resource
    }


async def test_no_active_model_is_a_404_with_a_json_error(client: TestClient, tmp_path: Path) -> None:
    response = await client.get(MODEL_PATH, headers=_rasa_headers(tmp_path))
    assert response.status == 404
    assert await response.json() == {"error": "not_found", "message": "no model is active yet"}


async def test_without_the_token_nothing_is_served(client: TestClient, sessions, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    await record_active(sessions, make_model_archive(tmp_path / "models", "one"), "test")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": SECRET}, {"Authorization": "Basic x"}):
        response = await client.get(MODEL_PATH, headers=headers)
        assert response.status == 401, headers
        body = await response.json()
        assert body["error"] == "invalid_token" and "bearer token" in body["message"]


async def test_a_gateway_without_the_internal_secret_serves_nobody(sessions, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    await record_active(sessions, make_model_archive(tmp_path / "models", "one"), "test")
    app = web.Application(middlewares=[errors_as_json])
    app[SETTINGS], app[SESSIONS] = _settings(tmp_path, secret=""), sessions
    app.add_routes(model_server.routes())
    async with TestClient(TestServer(app)) as unguarded:
        # The token for an empty secret is computable by anyone: it must not open the door.
        response = await unguarded.get(MODEL_PATH, headers={"Authorization": f"Bearer {model_server_token('')}"})
        assert response.status == 500 and (await response.json())["error"] == "configuration_error"


async def test_the_active_model_is_served_with_its_etag_then_304_until_another_is_activated(
    client: TestClient,
    sessions,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    first = make_model_archive(tmp_path / "models", "first")
    await record_active(sessions, first, "test")
    headers = _rasa_headers(tmp_path)

    # Rasa's first pull: it sends the random fingerprint of "no model yet".
    response = await client.get(MODEL_PATH, headers={**headers, "If-None-Match": "3f2a9c"})
    assert response.status == 200
    assert await response.read() == first.read_bytes()
    etag = response.headers["ETag"]
    assert etag.strip('"') == hashlib.sha256(first.read_bytes()).hexdigest()
    assert response.headers["filename"] == first.name, "Rasa saves it under this name and reports it in /status"

    # Every later pull sends the ETag back as its fingerprint: nothing new.
    response = await client.get(MODEL_PATH, headers={**headers, "If-None-Match": etag})
    assert response.status == 304 and await response.read() == b""
    response = await client.get(MODEL_PATH, headers={**headers, "If-None-Match": f"W/{etag}"})
    assert response.status == 304, "a proxy may weaken the tag"

    second = make_model_archive(tmp_path / "models", "second")
    await record_active(sessions, second, "test")
    response = await client.get(MODEL_PATH, headers={**headers, "If-None-Match": etag})
    assert response.status == 200
    assert await response.read() == second.read_bytes()
    assert response.headers["ETag"] != etag and response.headers["filename"] == second.name


async def test_an_active_model_missing_from_the_store_is_named_in_the_404(
    client: TestClient, sessions, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        session.add(ModelRecord(file_name="/old/deskbot-gone.tar.gz", inputs_hash="gone", status="active", actor="t"))
    response = await client.get(MODEL_PATH, headers=_rasa_headers(tmp_path))
    assert response.status == 404 and "gone is not in the model store" in (await response.json())["message"]
