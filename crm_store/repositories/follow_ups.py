"""Follow-up visits: scheduled when a ticket is resolved, claimed once when due, answered by the customer.

Every change of state is a conditional UPDATE (``… WHERE state = <expected>``): of two gateways that
reach the same follow-up, the database lets exactly one change it, on SQLite and PostgreSQL alike
(PostgreSQL makes the second UPDATE wait for the first transaction and then re-reads the row).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import FollowUp, Ticket

PENDING = ("scheduled", "sent")


class FollowUpRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, follow_up_id: int) -> FollowUp | None:
        return await self.session.get(FollowUp, follow_up_id)

    async def schedule(self, ticket: Ticket, due_at: datetime, text: str, *, at: datetime) -> FollowUp:
        """One follow-up per conversation at a time: a newer resolution replaces one not yet sent."""
        await self.session.execute(
            update(FollowUp)
            .where(FollowUp.conversation_id == ticket.conversation_id, FollowUp.state == "scheduled")
            .values(state="cancelled")
            .execution_options(synchronize_session=False)
        )
        follow_up = FollowUp(
            ticket_id=ticket.id,
            conversation_id=ticket.conversation_id,
            text=text,
            state="scheduled",
            due_at=due_at,
            created_at=at,
        )
        self.session.add(follow_up)
        await self.session.flush()
        return follow_up

    async def due_ids(self, now: datetime, limit: int = 100) -> list[int]:
        """Follow-ups whose time has come and that no one has sent yet, oldest due first."""
        result = await self.session.execute(
            select(FollowUp.id)
            .where(FollowUp.state == "scheduled", FollowUp.due_at <= now)
            .order_by(FollowUp.due_at, FollowUp.id)
            .limit(limit)
        )
        return list(result.scalars())

    async def move(self, follow_up_id: int, expected: str, state: str, **values: object) -> bool:
        """Change the state if it still is ``expected``; False when another gateway or answer got there first."""
        result = await self.session.execute(
            update(FollowUp)
            .where(FollowUp.id == follow_up_id, FollowUp.state == expected)
            .values(state=state, **values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def rate(self, follow_up_id: int, conversation_id: str, rating: int) -> bool:
        """Store the rating of a follow-up answered "yes", once."""
        result = await self.session.execute(
            update(FollowUp)
            .where(
                FollowUp.id == follow_up_id,
                FollowUp.conversation_id == conversation_id,
                FollowUp.state == "answered_yes",
                FollowUp.rating.is_(None),
            )
            .values(rating=rating)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def listing(self, states: tuple[str, ...], limit: int = 200) -> list[FollowUp]:
        """Follow-ups in the given states, the next due (or most recently due) first."""
        result = await self.session.execute(
            select(FollowUp)
            .where(FollowUp.state.in_(states))
            .order_by(FollowUp.due_at.desc(), FollowUp.id)
            .limit(limit)
        )
        return list(result.scalars())

    async def counts(self) -> dict[str, int]:
        result = await self.session.execute(select(FollowUp.state, func.count()).group_by(FollowUp.state))
        return {state: count for state, count in result.all()}
