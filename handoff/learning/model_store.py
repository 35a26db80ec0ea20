"""Trained models in the database: put a model file in, write one out to a local cache, publish one as active.

The database is the model store every host shares: the gateways serve the active model from it to
every Rasa replica (handoff.learning.model_server), and a gateway that must evaluate or load a model
trained elsewhere writes it out of the store into its own cache folder first.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from crm_store.db import create_engine, session_factory, unit_of_work
from crm_store.errors import NotFound
from crm_store.models import ModelRecord
from crm_store.models.base import utcnow
from crm_store.repositories import (
    AuditRepository,
    CorruptModelFile,
    ModelFileRepository,
    ModelRecordRepository,
    StoredModel,
)
from crm_store.repositories.model_files import sha256_of
from handoff.ops.training import MODEL_PREFIX

__all__ = [
    "CorruptModelFile",
    "inputs_hash_of",
    "publish_model",
    "record_active",
    "store_model",
    "stored",
    "write_out",
]

SUFFIX = ".tar.gz"


def inputs_hash_of(file_name: str | Path) -> str:
    """A model's key from its file name (``deskbot-<hash>.tar.gz``; any other ``<name>.tar.gz`` is keyed by name)."""
    name = Path(file_name).name
    if not name.endswith(SUFFIX):
        raise ValueError(f"{name!r} is not a Rasa model archive (a {SUFFIX} file)")
    return name.removeprefix(MODEL_PREFIX).removesuffix(SUFFIX)


async def store_model(sessions: sessionmaker, path: Path) -> StoredModel:
    """Put the model file at ``path`` into the store (kept as it is when already stored under its inputs hash)."""
    content = await asyncio.to_thread(path.read_bytes)
    async with unit_of_work(sessions) as session:
        return await ModelFileRepository(session).put(inputs_hash_of(path), path.name, content)


async def stored(sessions: sessionmaker, inputs_hash: str) -> StoredModel | None:
    async with unit_of_work(sessions) as session:
        return await ModelFileRepository(session).describe(inputs_hash)


async def write_out(sessions: sessionmaker, inputs_hash: str, cache_dir: Path) -> Path:
    """The stored model as a file in ``cache_dir``: an intact copy there is reused, anything else is (re)written.

    Raises NotFound when the store has no such model and CorruptModelFile when its stored bytes are damaged.
    """
    async with unit_of_work(sessions) as session:
        files = ModelFileRepository(session)
        description = await files.describe(inputs_hash)
        if description is None:
            raise NotFound(f"the model store has no model {MODEL_PREFIX}{inputs_hash}{SUFFIX}")
        target = cache_dir / description.file_name
        if await asyncio.to_thread(_is_intact, target, description.sha256):
            return target
        content = await files.content(inputs_hash)
    assert content is not None  # described a moment ago, and a stored model is never deleted
    await asyncio.to_thread(_write_atomically, target, content)
    return target


def _is_intact(path: Path, sha256: str) -> bool:
    return path.is_file() and sha256_of(path.read_bytes()) == sha256


def _write_atomically(target: Path, content: bytes) -> None:
    """Write beside the target and rename: Rasa or an evaluation never sees half a model."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


async def record_active(sessions: sessionmaker, path: Path, actor: str) -> ModelRecord:
    """Store the model file and make it the one active model (its figures follow at the first retrain).

    A record of the same inputs is reused wherever its file was, since paths differ from host to host.
    """
    await store_model(sessions, path)
    async with unit_of_work(sessions) as session:
        records = ModelRecordRepository(session)
        record = await records.latest_with_hash(inputs_hash_of(path))
        await records.retire_active(keep=record.id if record is not None else None)
        if record is None:
            absolute = os.path.abspath(path)  # noqa: ASYNC240 (string work, no disk access)
            record = ModelRecord(file_name=absolute, inputs_hash=inputs_hash_of(path), actor=actor)
            await records.add(record)
        was_active = record.status == "active"
        record.status, record.activated_at = "active", record.activated_at if was_active else utcnow()
        await session.flush()
        if not was_active:
            await AuditRepository(session).record(actor, "model.published", "model", record.id, {"file": path.name})
        return record


def publish_model(database_url: str, path: Path, actor: str = "deskbot run") -> ModelRecord:
    """For the launcher, before the Rasa replicas start: store ``path`` and make it the active model they pull.

    Synchronous (its own event loop and engine), for command-line code that is not async.
    """

    async def publish() -> ModelRecord:
        engine = create_engine(database_url)
        try:
            return await record_active(session_factory(engine), path, actor)
        finally:
            await engine.dispose()

    return asyncio.run(publish())
