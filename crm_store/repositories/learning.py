"""The learning loop's records: training candidates awaiting review, and the trained models."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import ModelRecord, TrainingCandidate


class TrainingCandidateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, candidate_id: int) -> TrainingCandidate | None:
        return await self.session.get(TrainingCandidate, candidate_id)

    async def add(self, candidate: TrainingCandidate) -> TrainingCandidate:
        self.session.add(candidate)
        await self.session.flush()
        return candidate

    async def pending(self) -> list[TrainingCandidate]:
        result = await self.session.execute(
            select(TrainingCandidate).where(TrainingCandidate.status == "pending").order_by(TrainingCandidate.id)
        )
        return list(result.scalars())

    async def approved(self, kind: str) -> list[TrainingCandidate]:
        """Approved candidates of one kind in the order they were approved (the NLU lessons, for one)."""
        result = await self.session.execute(
            select(TrainingCandidate)
            .where(TrainingCandidate.kind == kind, TrainingCandidate.status == "approved")
            .order_by(TrainingCandidate.reviewed_at, TrainingCandidate.id)
        )
        return list(result.scalars())


class ModelRecordRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, record_id: int) -> ModelRecord | None:
        return await self.session.get(ModelRecord, record_id)

    async def add(self, record: ModelRecord) -> ModelRecord:
        self.session.add(record)
        await self.session.flush()
        return record

    async def newest_first(self) -> list[ModelRecord]:
        return list((await self.session.execute(select(ModelRecord).order_by(ModelRecord.id.desc()))).scalars())

    async def active(self) -> ModelRecord | None:
        result = await self.session.execute(
            select(ModelRecord).where(ModelRecord.status == "active").order_by(ModelRecord.id.desc()).limit(1)
        )
        return result.scalar_one_or_none()

    async def by_file(self, file_name: str) -> ModelRecord | None:
        result = await self.session.execute(select(ModelRecord).where(ModelRecord.file_name == file_name))
        return result.scalars().first()

    async def latest_with_hash(self, inputs_hash: str) -> ModelRecord | None:
        """The newest record of the model with these inputs, wherever its file was (paths differ between hosts)."""
        result = await self.session.execute(
            select(ModelRecord).where(ModelRecord.inputs_hash == inputs_hash).order_by(ModelRecord.id.desc()).limit(1)
        )
        return result.scalar_one_or_none()

    async def retire_active(self, keep: int | None = None) -> None:
        """At most one model is active: every other active record becomes retired."""
        for other in (await self.session.execute(select(ModelRecord).where(ModelRecord.status == "active"))).scalars():
            if other.id != keep:
                other.status = "retired"
