from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import ChannelIdentity, Customer
from crm_store.models.base import utcnow


class CustomerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, customer_id: int) -> Customer | None:
        return await self.session.get(Customer, customer_id)

    async def by_email(self, email: str) -> Customer | None:
        result = await self.session.execute(select(Customer).where(func.lower(Customer.email) == email.strip().lower()))
        return result.scalar_one_or_none()

    async def by_phone(self, phone: str) -> Customer | None:
        result = await self.session.execute(select(Customer).where(Customer.phone == phone).limit(1))
        return result.scalar_one_or_none()

    async def count(self) -> int:
        return (await self.session.execute(select(func.count()).select_from(Customer))).scalar_one()

    async def add(self, customer: Customer) -> Customer:
        self.session.add(customer)
        await self.session.flush()
        return customer

    async def identity(self, channel: str, channel_user_id: str) -> ChannelIdentity | None:
        result = await self.session.execute(
            select(ChannelIdentity).where(
                ChannelIdentity.channel == channel, ChannelIdentity.channel_user_id == channel_user_id
            )
        )
        return result.scalar_one_or_none()

    async def link_identity(
        self, channel: str, channel_user_id: str, customer_id: int | None, *, verified: bool
    ) -> ChannelIdentity:
        identity = await self.identity(channel, channel_user_id)
        if identity is None:
            identity = ChannelIdentity(channel=channel, channel_user_id=channel_user_id)
            self.session.add(identity)
        identity.customer_id = customer_id
        identity.verified = verified
        identity.verified_at = utcnow() if verified else None
        await self.session.flush()
        return identity

    async def full_names(self) -> list[str]:
        """Every customer's "first last", for recognising names in free text."""
        result = await self.session.execute(select(Customer.first_name, Customer.last_name))
        return [f"{first} {last}" for first, last in result.all()]
