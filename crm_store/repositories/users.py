"""Staff accounts and their console sessions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import User, UserSession


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

    async def display_names(self, user_ids: Iterable[int] | None = None) -> dict[int, str]:
        """Id → shown name, for the given users or (``None``) for everyone."""
        query = select(User.id, User.display_name)
        if user_ids is not None:
            wanted = set(user_ids)
            if not wanted:
                return {}
            query = query.where(User.id.in_(wanted))
        return {user_id: name for user_id, name in (await self.session.execute(query)).all()}

    async def all_display_names(self) -> list[str]:
        return list((await self.session.execute(select(User.display_name))).scalars())


class StaffSessionRepository:
    """Server-side console sessions, found by the hash of the cookie's token (the token itself is never stored)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def start(self, token_hash: str, user_id: int, expires_at: datetime) -> UserSession:
        row = UserSession(token_hash=token_hash, user_id=user_id, expires_at=expires_at)
        self.session.add(row)
        await self.session.flush()
        return row

    async def revoke(self, token_hash: str, at: datetime) -> None:
        result = await self.session.execute(select(UserSession).where(UserSession.token_hash == token_hash))
        row = result.scalar_one_or_none()
        if row is not None and row.revoked_at is None:
            row.revoked_at = at

    async def extend(self, token_hash: str, until: datetime, not_after_lifetime: timedelta) -> None:
        """Move a live session's expiry to ``until`` (an idle timeout), never past its absolute lifetime."""
        result = await self.session.execute(select(UserSession).where(UserSession.token_hash == token_hash))
        row = result.scalar_one_or_none()
        if row is not None:
            expires_at = min(until, row.created_at + not_after_lifetime)
            # A write at most once a minute per session, not on every request.
            if expires_at - row.expires_at >= timedelta(minutes=1):
                row.expires_at = expires_at

    async def active_user(self, token_hash: str, now: datetime) -> User | None:
        """The signed-in user of a live session: not revoked, not expired, account active."""
        result = await self.session.execute(
            select(User)
            .join(UserSession, UserSession.user_id == User.id)
            .where(
                UserSession.token_hash == token_hash,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
                User.active.is_(True),
            )
        )
        return result.scalar_one_or_none()
