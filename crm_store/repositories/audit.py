from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import AuditEntry


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self, actor: str, action: str, entity_type: str, entity_id: str | int, details: dict[str, Any] | None = None
    ) -> AuditEntry:
        entry = AuditEntry(
            actor=actor, action=action, entity_type=entity_type, entity_id=str(entity_id), details=details or {}
        )
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def for_entity(self, entity_type: str, entity_id: str | int) -> list[AuditEntry]:
        result = await self.session.execute(
            select(AuditEntry)
            .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        return list(result.scalars())
