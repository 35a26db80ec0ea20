from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from crm_store.models import Ticket

OPEN_STATUSES = ("queued", "assigned")


def open_to(closed_segments: Sequence[str]) -> ColumnElement[bool]:
    """Tickets not kept for the agents of one of ``closed_segments``."""
    if not closed_segments:
        return true()
    return or_(Ticket.reserved_for.is_(None), Ticket.reserved_for.not_in(list(closed_segments)))


class TicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, ticket_id: int) -> Ticket | None:
        return await self.session.get(Ticket, ticket_id)

    async def open_for_conversation(self, conversation_id: str) -> Ticket | None:
        result = await self.session.execute(
            select(Ticket)
            .where(Ticket.conversation_id == conversation_id, Ticket.status.in_(OPEN_STATUSES))
            .order_by(Ticket.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def add(self, ticket: Ticket) -> Ticket:
        self.session.add(ticket)
        await self.session.flush()
        return ticket

    async def open_tickets(self) -> list[Ticket]:
        result = await self.session.execute(
            select(Ticket).where(Ticket.status.in_(OPEN_STATUSES)).order_by(Ticket.created_at, Ticket.id)
        )
        return list(result.scalars())

    async def claim(self, ticket_id: int, agent_id: int, at: datetime) -> bool:
        """Assign a queued ticket; a conditional update, so exactly one of many concurrent claims wins."""
        result = await self.session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.status == "queued")
            .values(status="assigned", agent_id=agent_id, claimed_at=at)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def next_queued_id(self, *, skip_locked: bool, closed_segments: Sequence[str] = ()) -> int | None:
        """The most urgent queued ticket not kept for a segment in ``closed_segments``; on PostgreSQL rows other
        claimers hold are skipped, not waited for."""
        query = (
            select(Ticket.id)
            .where(Ticket.status == "queued", open_to(closed_segments))
            .order_by(Ticket.priority.desc(), Ticket.created_at, Ticket.id)
            .limit(1)
        )
        if skip_locked:
            query = query.with_for_update(skip_locked=True)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def update_if(
        self, ticket_id: int, expected_status: str, expected_agent: int | None, **values: object
    ) -> bool:
        conditions = [Ticket.id == ticket_id, Ticket.status == expected_status]
        if expected_agent is not None:
            conditions.append(Ticket.agent_id == expected_agent)
        result = await self.session.execute(
            update(Ticket).where(*conditions).values(**values).execution_options(synchronize_session=False)
        )
        return result.rowcount == 1
