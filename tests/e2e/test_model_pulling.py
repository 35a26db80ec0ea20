"""A real Rasa server gets its model only by pulling it from the gateway's model server, and follows a switch.

Rasa starts with no model of its own and an endpoints file whose ``models:`` section is the one
``model_server_endpoint`` gives the launcher; the model server is the gateway's route on a SQLite store.
The second model is the trained one re-packed with a new ``model_id`` in its metadata (what Rasa's
``/status`` reports), so the test needs one training, not two.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from crm_store import migrate
from crm_store.db import create_engine, session_factory
from crm_store.settings import PROJECT_ROOT, StoreSettings
from handoff.edge import errors_as_json
from handoff.keys import SESSIONS, SETTINGS
from handoff.learning import model_server
from handoff.learning.model_server import model_server_endpoint
from handoff.learning.model_store import record_active
from handoff.ops.launch import free_port
from handoff.ops.training import rasa_environment
from handoff.settings import Settings
from tests.e2e.client import wait_for

pytestmark = pytest.mark.slow

SECRET = "an-internal-secret-of-at-least-32-characters"
RASA_TOKEN = "a-rasa-api-token-for-this-test"  # noqa: S105 (a test's own throwaway token)
STARTUP_S = 300.0  # Rasa imports TensorFlow and loads the model: minutes on a busy machine
PULL_S = 120.0  # a pull every 10 s; generous for a loaded machine


def repack_with_new_model_id(model: Path, target: Path) -> str:
    """The same model under another name and ``model_id``: different bytes, so a different ETag."""
    model_id = uuid.uuid4().hex
    with tarfile.open(model, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name.lstrip("/") == "metadata.json" and data is not None:
                metadata = json.loads(data.read())
                metadata["model_id"] = model_id
                raw = json.dumps(metadata).encode()
                member.size = len(raw)
                data = io.BytesIO(raw)
            copy.addfile(member, data)
    return model_id


@dataclass
class Pull:
    status: int
    if_none_match: str | None
    authorized: bool


@dataclass
class ModelServer:
    server: TestServer
    pulls: list[Pull] = field(default_factory=list)

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Any]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def gateway(store: Any, tmp_path: Path) -> AsyncIterator[ModelServer]:
    """The gateway's model route alone, noting every pull Rasa makes."""
    settings = Settings(store=StoreSettings(var_dir=tmp_path), internal_secret=SECRET)

    @web.middleware
    async def note_pulls(request: web.Request, handler: Any) -> web.StreamResponse:
        response = await handler(request)
        expected = model_server_endpoint(settings, "http://x")["headers"]["Authorization"]
        authorized = request.headers.get("Authorization") == expected
        noted.pulls.append(Pull(response.status, request.headers.get("If-None-Match"), authorized))
        return response

    app = web.Application(middlewares=[note_pulls, errors_as_json])
    app[SETTINGS], app[SESSIONS] = settings, store
    app.add_routes(model_server.routes())
    noted = ModelServer(TestServer(app, host="127.0.0.1"))
    await noted.server.start_server()
    try:
        yield noted
    finally:
        await noted.server.close()


@pytest.fixture
async def published(store: Any, trained_model: Path) -> Path:
    """The trained model, active in the store before Rasa starts (what the launcher's publish_model does)."""
    await record_active(store, trained_model, "test")
    return trained_model


@pytest.fixture
def rasa_port(gateway: ModelServer, published: Path, tmp_path: Path) -> Iterator[int]:
    """Rasa's own server (bot.serve, as the launcher starts it) with only a models: endpoint and no model."""
    settings = Settings(internal_secret=SECRET)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(json.dumps({"models": model_server_endpoint(settings, gateway.url)}))
    port = free_port()
    workdir = tmp_path / "rasa-cwd"  # no models/ folder here: nothing to load but what it pulls
    workdir.mkdir()
    env = {
        **rasa_environment(),
        "RASA_TOKEN": RASA_TOKEN,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
    }
    log = (tmp_path / "rasa.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.serve",
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--endpoints",
            str(endpoints),
        ],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        if process.returncode not in (0, -15):
            print((tmp_path / "rasa.log").read_text()[-5000:])


async def _status(http: aiohttp.ClientSession, port: int) -> dict[str, Any] | None:
    try:
        async with http.get(f"http://127.0.0.1:{port}/status", params={"token": RASA_TOKEN}) as response:
            return dict(await response.json()) if response.status == 200 else None
    except aiohttp.ClientError:
        return None


async def test_rasa_runs_the_model_it_pulls_from_the_gateway_and_follows_a_switch(
    store: Any, gateway: ModelServer, rasa_port: int, published: Path, tmp_path: Path
) -> None:
    trained_model = published
    second = tmp_path / "models" / "deskbot-repacked0000.tar.gz"
    second.parent.mkdir()
    second_id = repack_with_new_model_id(trained_model, second)

    async with aiohttp.ClientSession() as http:
        status: dict[str, Any] = {}

        async def runs(file_name: str) -> bool:
            status.update(await _status(http, rasa_port) or {"model_file": None})
            return status["model_file"] == file_name

        await wait_for(lambda: runs(trained_model.name), timeout=STARTUP_S)
        first_id = status["model_id"]
        async with http.post(
            f"http://127.0.0.1:{rasa_port}/model/parse", params={"token": RASA_TOKEN}, json={"text": "hello there"}
        ) as response:
            assert response.status == 200
            assert (await response.json())["intent"]["name"] == "greet"
        served_first = [pull for pull in gateway.pulls if pull.status == 200]
        assert len(served_first) == 1 and all(pull.authorized for pull in gateway.pulls)

        # Activated in the database only: no call to Rasa, which finds it at its next pull.
        await record_active(store, second, "test")
        await wait_for(lambda: runs(second.name), timeout=PULL_S)
        assert status["model_id"] == second_id != first_id

        # From now on Rasa shows the new model's ETag and is told it has it: 304, no download.
        pulls_at_switch = len(gateway.pulls)

        async def pulled_again() -> bool:
            return len(gateway.pulls) > pulls_at_switch

        await wait_for(pulled_again, timeout=PULL_S)
    assert [pull.status for pull in gateway.pulls].count(200) == 2
    assert gateway.pulls[-1].status == 304 and gateway.pulls[-1].if_none_match is not None
