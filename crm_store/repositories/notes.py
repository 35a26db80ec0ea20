"""Agents' internal notes on customers and tickets."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import Note, User


class NoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, ticket_id: int | None, customer_id: int | None, author_id: int, text: str) -> Note:
        note = Note(ticket_id=ticket_id, customer_id=customer_id, author_id=author_id, text=text)
        self.session.add(note)
        await self.session.flush()
        return note

    async def for_customer(self, customer_id: int, limit: int = 20) -> list[tuple[Note, str | None]]:
        """Newest first, each with its author's shown name (None once the author is gone)."""
        result = await self.session.execute(
            select(Note, User.display_name)
            .outerjoin(User, User.id == Note.author_id)
            .where(Note.customer_id == customer_id)
            .order_by(Note.created_at.desc(), Note.id.desc())
            .limit(limit)
        )
        return [(note, author) for note, author in result.all()]
