"""Trained models' bytes in the database: put once, read back only when they are intact.

Every read of the bytes checks them against the SHA-256 taken when they were put, so a damaged
row is refused with a message naming the model, never handed to Rasa to fail on obscurely.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exc, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.errors import StoreError
from crm_store.models import ModelFile, ModelRecord


class CorruptModelFile(StoreError):
    """A stored model's bytes (or a copy of them) do not match the checksum recorded when it was stored."""

    code = "corrupt_model_file"


@dataclass(frozen=True)
class StoredModel:
    """What is known about a stored model without reading its bytes."""

    inputs_hash: str
    file_name: str
    size: int
    sha256: str
    created_at: datetime


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


_DESCRIPTION = (ModelFile.inputs_hash, ModelFile.file_name, ModelFile.size, ModelFile.sha256, ModelFile.created_at)


class ModelFileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def put(self, inputs_hash: str, file_name: str, content: bytes) -> StoredModel:
        """Store a model's bytes under its inputs hash; a model already stored under that hash is kept as it is.

        The same inputs make an equivalent model, so whichever host stored it first wins and every host
        serves those very bytes (Rasa's training is not bit-for-bit reproducible).
        """
        if not inputs_hash or not file_name.endswith(".tar.gz"):
            raise ValueError(f"a model is stored under its inputs hash as a .tar.gz file, got {file_name!r}")
        existing = await self.describe(inputs_hash)
        if existing is not None:
            return existing
        row = ModelFile(
            inputs_hash=inputs_hash, file_name=file_name, content=content, size=len(content), sha256=sha256_of(content)
        )
        try:
            async with self.session.begin_nested():  # another gateway may store the same model at the same moment
                self.session.add(row)
        except exc.IntegrityError:
            stored = await self.describe(inputs_hash)
            if stored is None:
                raise
            return stored
        return _described(row)

    async def describe(self, inputs_hash: str) -> StoredModel | None:
        row = (await self.session.execute(select(*_DESCRIPTION).where(ModelFile.inputs_hash == inputs_hash))).first()
        return StoredModel(*row) if row is not None else None

    async def content(self, inputs_hash: str) -> bytes | None:
        """The model's bytes, checked against its recorded checksum; None when no such model is stored."""
        row = (
            await self.session.execute(
                select(ModelFile.content, ModelFile.sha256, ModelFile.file_name).where(
                    ModelFile.inputs_hash == inputs_hash
                )
            )
        ).first()
        if row is None:
            return None
        content, expected, file_name = bytes(row[0]), row[1], row[2]
        found = sha256_of(content)
        if found != expected:
            raise CorruptModelFile(
                f"the stored model {file_name} is damaged: its bytes have SHA-256 {found}, "
                f"but {expected} was recorded when it was stored; train or store it again"
            )
        return content

    async def active(self) -> StoredModel | None:
        """The stored file of the model marked active (the one every Rasa replica should run)."""
        row = (
            await self.session.execute(
                select(*_DESCRIPTION)
                .join(ModelRecord, ModelRecord.inputs_hash == ModelFile.inputs_hash)
                .where(ModelRecord.status == "active")
                .order_by(ModelRecord.id.desc())
                .limit(1)
            )
        ).first()
        return StoredModel(*row) if row is not None else None


def _described(row: ModelFile) -> StoredModel:
    return StoredModel(row.inputs_hash, row.file_name, row.size, row.sha256, row.created_at)
