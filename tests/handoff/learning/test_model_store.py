"""Model files into the store and out to a local cache, checked by SHA-256; publishing one as the active model."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select, update

from crm_store import migrate
from crm_store.db import create_engine, session_factory, unit_of_work
from crm_store.errors import NotFound
from crm_store.models import AuditEntry, ModelFile, ModelRecord
from crm_store.repositories import ModelFileRepository
from handoff.learning.model_store import (
    CorruptModelFile,
    inputs_hash_of,
    publish_model,
    record_active,
    store_model,
    write_out,
)


def make_model_archive(folder: Path, inputs_hash: str, size: int = 256 * 1024) -> Path:
    """A gzipped tar of random bytes named as training names models: what the store sees of a model."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"deskbot-{inputs_hash}.tar.gz"
    payload = os.urandom(size)
    with tarfile.open(path, "w:gz") as archive:
        member = tarfile.TarInfo("metadata.json")
        member.size = len(payload)
        archive.addfile(member, io.BytesIO(payload))
    return path


def test_a_models_key_is_the_inputs_hash_in_its_name() -> None:
    assert inputs_hash_of("/var/models/deskbot-e9ba7a753df5acc1.tar.gz") == "e9ba7a753df5acc1"
    with pytest.raises(ValueError, match="not a Rasa model archive"):
        inputs_hash_of("deskbot-e9ba.zip")


async def test_a_model_written_out_of_the_store_is_byte_for_byte_the_one_put_in(sessions, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    original = make_model_archive(tmp_path / "trained-here", "abc123")
    stored = await store_model(sessions, original)
    assert stored.sha256 == hashlib.sha256(original.read_bytes()).hexdigest()

    copy = await write_out(sessions, "abc123", tmp_path / "cache")
    assert copy == tmp_path / "cache" / original.name
    assert copy.read_bytes() == original.read_bytes()
    assert sorted(p.name for p in copy.parent.iterdir()) == [original.name], "no temporary file left behind"


async def test_a_damaged_copy_in_the_cache_is_replaced_from_the_store(sessions, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    original = make_model_archive(tmp_path / "trained-here", "abc123")
    await store_model(sessions, original)
    cached = tmp_path / "cache" / original.name
    cached.parent.mkdir()
    cached.write_bytes(original.read_bytes()[:1000])  # a copy cut short by a full disk, say
    assert await write_out(sessions, "abc123", cached.parent) == cached
    assert cached.read_bytes() == original.read_bytes()


async def test_damaged_bytes_in_the_store_are_refused_and_nothing_is_written(sessions, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    original = make_model_archive(tmp_path / "trained-here", "abc123")
    await store_model(sessions, original)
    async with unit_of_work(sessions) as session:
        await session.execute(update(ModelFile).where(ModelFile.inputs_hash == "abc123").values(content=b"garbage"))
    with pytest.raises(CorruptModelFile, match=r"stored model deskbot-abc123\.tar\.gz is damaged"):
        await write_out(sessions, "abc123", tmp_path / "cache")
    assert not (tmp_path / "cache" / original.name).exists()


async def test_writing_out_a_model_the_store_does_not_have_names_it(sessions, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound, match=r"no model deskbot-missing\.tar\.gz"):
        await write_out(sessions, "missing", tmp_path / "cache")


async def test_recording_a_model_active_stores_it_and_retires_the_one_before(sessions, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = make_model_archive(tmp_path, "first")
    second = make_model_archive(tmp_path, "second")
    one = await record_active(sessions, first, "deskbot run")
    two = await record_active(sessions, second, "deskbot run")
    back = await record_active(sessions, first, "deskbot run")  # the same inputs: the same record, active again
    assert back.id == one.id
    async with unit_of_work(sessions) as session:
        records = {r.id: r.status for r in (await session.execute(select(ModelRecord))).scalars()}
        stored = {f.inputs_hash for f in (await session.execute(select(ModelFile))).scalars()}
        published = (await session.execute(select(AuditEntry).where(AuditEntry.action == "model.published"))).all()
    assert records == {one.id: "active", two.id: "retired"}
    assert stored == {"first", "second"}
    assert len(published) == 3


def test_publish_model_makes_a_file_the_model_every_replica_pulls(tmp_path: Path) -> None:
    """The launcher's entry point: synchronous, its own engine, on a migrated database."""
    url = f"sqlite:///{tmp_path / 'publish.db'}"
    migrate.upgrade(url)
    model = make_model_archive(tmp_path / "models", "abc123")
    record = publish_model(url, model)
    assert record.status == "active" and record.inputs_hash == "abc123" and record.actor == "deskbot run"

    async def stored_bytes() -> bytes | None:
        engine = create_engine(url)
        try:
            async with unit_of_work(session_factory(engine)) as session:
                active = await ModelFileRepository(session).active()
                assert active is not None and active.file_name == model.name
                return await ModelFileRepository(session).content(active.inputs_hash)
        finally:
            await engine.dispose()

    assert asyncio.run(stored_bytes()) == model.read_bytes()
