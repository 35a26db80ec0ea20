from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from crm_store.models import Order


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_number(self, number: str) -> Order | None:
        result = await self.session.execute(
            select(Order)
            .where(Order.number == number.strip().upper())
            .options(selectinload(Order.items), selectinload(Order.events))
        )
        return result.scalar_one_or_none()

    async def recent_for_customer(self, customer_id: int, limit: int = 5) -> list[Order]:
        result = await self.session.execute(
            select(Order)
            .where(Order.customer_id == customer_id)
            .order_by(Order.placed_at.desc(), Order.id.desc())
            .limit(limit)
            .options(selectinload(Order.items), selectinload(Order.events))
        )
        return list(result.scalars())

    async def count(self) -> int:
        return (await self.session.execute(select(func.count()).select_from(Order))).scalar_one()

    async def count_by_status(self) -> dict[str, int]:
        result = await self.session.execute(select(Order.status, func.count()).group_by(Order.status))
        return {status: count for status, count in result.all()}
