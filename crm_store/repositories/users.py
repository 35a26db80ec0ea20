from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import User


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def by_username(self, username: str) -> User | None:
        result = await self.session.execute(select(User).where(func.lower(User.username) == username.strip().lower()))
        return result.scalar_one_or_none()

    async def add(self, user: User) -> User:
        self.session.add(user)
        await self.session.flush()
        return user

    async def with_roles(self, roles: tuple[str, ...]) -> list[User]:
        result = await self.session.execute(
            select(User).where(User.role.in_(roles), User.active.is_(True)).order_by(User.display_name)
        )
        return list(result.scalars())
