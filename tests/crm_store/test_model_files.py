"""The model store on SQLite and PostgreSQL: bytes back exactly as put, a damaged row refused by name."""

from __future__ import annotations

import hashlib
import os

import pytest
from sqlalchemy import update

from crm_store.db import unit_of_work
from crm_store.models import ModelFile, ModelRecord
from crm_store.repositories import CorruptModelFile, ModelFileRepository

# Every byte value, NULs included, and more than one database page: a text column would mangle or truncate it.
CONTENT = bytes(range(256)) * 64 + os.urandom(3 * 1024 * 1024)


async def test_a_stored_model_comes_back_byte_for_byte_with_its_checksum(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        put = await ModelFileRepository(session).put("abc123", "deskbot-abc123.tar.gz", CONTENT)
    assert put.size == len(CONTENT) and put.sha256 == hashlib.sha256(CONTENT).hexdigest()
    async with unit_of_work(sessions) as session:
        files = ModelFileRepository(session)
        described = await files.describe("abc123")
        assert described == put
        assert await files.content("abc123") == CONTENT
        assert await files.describe("other") is None and await files.content("other") is None


async def test_a_model_already_stored_under_its_inputs_hash_is_kept_as_it_was(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        first = await ModelFileRepository(session).put("abc123", "deskbot-abc123.tar.gz", b"first training")
    async with unit_of_work(sessions) as session:
        again = await ModelFileRepository(session).put("abc123", "deskbot-abc123.tar.gz", b"a second training")
        assert again == first
        assert await ModelFileRepository(session).content("abc123") == b"first training"


async def test_damaged_bytes_are_refused_with_the_models_name(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        await ModelFileRepository(session).put("abc123", "deskbot-abc123.tar.gz", CONTENT)
        damaged = CONTENT[:-1] + bytes([CONTENT[-1] ^ 0xFF])
        await session.execute(update(ModelFile).where(ModelFile.inputs_hash == "abc123").values(content=damaged))
    async with unit_of_work(sessions) as session:
        with pytest.raises(CorruptModelFile, match=r"deskbot-abc123\.tar\.gz is damaged") as refused:
            await ModelFileRepository(session).content("abc123")
    assert hashlib.sha256(CONTENT).hexdigest() in str(refused.value)


async def test_only_model_archives_are_stored(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        with pytest.raises(ValueError, match=r"\.tar\.gz"):
            await ModelFileRepository(session).put("abc123", "notes.txt", b"x")


async def test_the_active_model_is_the_stored_file_of_the_active_record(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        files = ModelFileRepository(session)
        assert await files.active() is None
        await files.put("old", "deskbot-old.tar.gz", b"old model")
        await files.put("new", "deskbot-new.tar.gz", b"new model")
        session.add(
            ModelRecord(file_name="/elsewhere/deskbot-old.tar.gz", inputs_hash="old", status="retired", actor="t")
        )
        session.add(
            ModelRecord(file_name="/elsewhere/deskbot-new.tar.gz", inputs_hash="new", status="active", actor="t")
        )
    async with unit_of_work(sessions) as session:
        active = await ModelFileRepository(session).active()
    assert active is not None and active.file_name == "deskbot-new.tar.gz"
    assert active.sha256 == hashlib.sha256(b"new model").hexdigest()


async def test_an_active_record_whose_file_was_never_stored_has_no_active_file(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        session.add(ModelRecord(file_name="/var/models/deskbot-x.tar.gz", inputs_hash="x", status="active", actor="t"))
    async with unit_of_work(sessions) as session:
        assert await ModelFileRepository(session).active() is None
