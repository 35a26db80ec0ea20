"""Activating a model: one process PUTs the file to its Rasa; replicated, the database says and the replicas pull.

Rasa here is a stand-in that records the model API calls the manager makes (what Rasa does with a pulled
model is tests/e2e/test_model_pulling.py, with the real one).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from crm_store.db import unit_of_work
from crm_store.errors import NotFound
from crm_store.models import ModelRecord
from crm_store.repositories import ModelFileRepository
from crm_store.settings import StoreSettings
from handoff.learning.model_store import record_active, store_model
from handoff.learning.retraining import ModelManager
from handoff.settings import Settings
from tests.handoff.learning.test_model_store import make_model_archive

FIGURES = {"nlu_accuracy": 0.9, "nlu_macro_f1": 0.9, "story_accuracy": 1.0}


@dataclass
class StandInRasa:
    server: TestServer
    loaded: list[str] = field(default_factory=list)  # the model_file of every PUT /model
    running: str | None = None  # what /status reports

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")


@pytest.fixture
async def rasa() -> AsyncIterator[StandInRasa]:
    async def put_model(request: web.Request) -> web.Response:
        stand_in.loaded.append((await request.json())["model_file"])
        stand_in.running = Path(stand_in.loaded[-1]).name
        return web.Response(status=204)

    async def status(request: web.Request) -> web.Response:
        if stand_in.running is None:
            return web.json_response({"message": "No agent loaded."}, status=409)
        return web.json_response({"model_file": stand_in.running, "model_id": "x"})

    app = web.Application()
    app.router.add_put("/model", put_model)
    app.router.add_get("/status", status)
    stand_in = StandInRasa(TestServer(app, host="127.0.0.1"))
    await stand_in.server.start_server()
    try:
        yield stand_in
    finally:
        await stand_in.server.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _manager(tmp_path: Path, sessions, http, rasa: StandInRasa, *, replicated: bool) -> ModelManager:  # type: ignore[no-untyped-def]
    settings = Settings(
        store=StoreSettings(var_dir=tmp_path / "var"),
        rasa_url=rasa.url,
        redis_url="redis://127.0.0.1:6379/0" if replicated else "",
    )
    return ModelManager(settings, sessions, http)


async def _statuses(sessions) -> dict[str, str]:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        return {r.inputs_hash: r.status for r in (await session.execute(select(ModelRecord))).scalars()}


async def _stored_bytes(sessions, inputs_hash: str) -> bytes | None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        return await ModelFileRepository(session).content(inputs_hash)


async def test_one_process_puts_the_accepted_model_to_rasa_and_stores_it(sessions, http, rasa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = _manager(tmp_path, sessions, http, rasa, replicated=False)
    assert manager.replicated is False
    model = make_model_archive(tmp_path / "trained", "new")
    record = await manager.consider(model, FIGURES, None, "tara")
    assert record.status == "active"
    assert rasa.loaded == [str(model)]
    assert await _stored_bytes(sessions, "new") == model.read_bytes()


async def test_a_rejected_model_is_stored_too_and_never_loaded(sessions, http, rasa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = _manager(tmp_path, sessions, http, rasa, replicated=False)
    worse = make_model_archive(tmp_path / "trained", "worse")
    record = await manager.consider(worse, {**FIGURES, "nlu_accuracy": 0.1}, FIGURES, "tara")
    assert record.status == "rejected" and rasa.loaded == []
    assert await _stored_bytes(sessions, "worse") == worse.read_bytes()


async def test_replicated_the_accepted_model_is_marked_active_and_no_rasa_is_told(
    sessions, http, rasa, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    manager = _manager(tmp_path, sessions, http, rasa, replicated=True)
    assert manager.replicated is True
    await record_active(sessions, make_model_archive(tmp_path / "trained", "old"), "deskbot run")
    model = make_model_archive(tmp_path / "trained", "new")
    record = await manager.consider(model, FIGURES, FIGURES, "tara")
    assert record.status == "active" and rasa.loaded == []
    assert await _statuses(sessions) == {"old": "retired", "new": "active"}
    async with unit_of_work(sessions) as session:
        active = await ModelFileRepository(session).active()
    assert active is not None and active.file_name == model.name, "what the model server now hands every replica"


async def test_replicated_rollback_marks_the_stored_model_active_without_its_file_here(
    sessions, http, rasa, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    manager = _manager(tmp_path, sessions, http, rasa, replicated=True)
    old_file = make_model_archive(tmp_path / "other-host", "old")
    old = await record_active(sessions, old_file, "deskbot run")
    await manager.consider(make_model_archive(tmp_path / "trained", "new"), FIGURES, FIGURES, "tara")
    old_file.unlink()  # trained on another host: only the store has it
    rolled = await manager.activate(old.id, "tara")
    assert rolled.status == "active" and rasa.loaded == []
    assert await _statuses(sessions) == {"old": "active", "new": "retired"}


async def test_one_process_rollback_writes_a_model_trained_elsewhere_out_of_the_store(
    sessions, http, rasa, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    manager = _manager(tmp_path, sessions, http, rasa, replicated=False)
    old_file = make_model_archive(tmp_path / "other-host", "old")
    content = old_file.read_bytes()
    old = await record_active(sessions, old_file, "deskbot run")
    await manager.consider(make_model_archive(tmp_path / "trained", "new"), FIGURES, FIGURES, "tara")
    old_file.unlink()
    await manager.activate(old.id, "tara")
    cached = manager.cache_dir / old_file.name
    assert rasa.loaded[-1] == str(cached) and cached.read_bytes() == content
    assert await _statuses(sessions) == {"old": "active", "new": "retired"}


async def test_a_model_neither_here_nor_stored_cannot_be_activated(sessions, http, rasa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        session.add(ModelRecord(file_name="/gone/deskbot-gone.tar.gz", inputs_hash="gone", status="retired", actor="t"))
    async with unit_of_work(sessions) as session:
        record_id = (await session.execute(select(ModelRecord.id))).scalar_one()
    for replicated in (False, True):
        manager = _manager(tmp_path, sessions, http, rasa, replicated=replicated)
        with pytest.raises(NotFound, match=f"no usable model {record_id}"):
            await manager.activate(record_id, "tara")
    assert rasa.loaded == [] and await _statuses(sessions) == {"gone": "retired"}


async def test_replicated_the_database_not_whichever_replica_answers_says_what_runs(
    sessions, http, rasa, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    await record_active(sessions, make_model_archive(tmp_path / "trained", "new"), "deskbot run")
    rasa.running = "deskbot-old.tar.gz"  # a replica that has not pulled yet
    record = await _manager(tmp_path, sessions, http, rasa, replicated=True).register_running()
    assert record is not None and record.inputs_hash == "new"
    assert await _statuses(sessions) == {"new": "active"}


async def test_registering_what_rasa_runs_stores_its_file(sessions, http, rasa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = _manager(tmp_path, sessions, http, rasa, replicated=False)
    model = make_model_archive(manager.settings.models_dir, "running")
    rasa.running = model.name
    record = await manager.register_running()
    assert record is not None and record.status == "active" and record.file_name == str(model)
    assert await _stored_bytes(sessions, "running") == model.read_bytes()


async def test_registering_a_model_rasa_pulled_finds_it_in_the_store(sessions, http, rasa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = _manager(tmp_path, sessions, http, rasa, replicated=False)
    pulled = make_model_archive(tmp_path / "another-host", "pulled")
    await store_model(sessions, pulled)
    rasa.running = pulled.name  # Rasa reports the name the model server gave it, not a path here
    record = await manager.register_running()
    assert record is not None and record.inputs_hash == "pulled" and record.status == "active"
    assert (manager.cache_dir / pulled.name).read_bytes() == pulled.read_bytes()


async def test_waiting_for_the_replicas_ends_when_rasa_runs_the_model_or_says_why_not(
    sessions,
    http,
    rasa,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    manager = _manager(tmp_path, sessions, http, rasa, replicated=True)
    rasa.running = "deskbot-new.tar.gz"
    with caplog.at_level("WARNING", logger="handoff.learning.retraining"):
        await manager._wait_until_rasa_runs("deskbot-new.tar.gz")
        assert caplog.records == []
        manager.pull_timeout_s = 0  # a replica that never pulls: the retrain goes on, and the log says so
        await manager._wait_until_rasa_runs("deskbot-newer.tar.gz")
    assert [r.getMessage() for r in caplog.records] == [
        f"Rasa at {rasa.url} does not run deskbot-newer.tar.gz yet; it will at its next pull"
    ]
