"""Staff accounts: agents, trainers and admins."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String

from crm_store.models.base import Base, UTCDateTime, utcnow

USER_ROLES = ("agent", "trainer", "admin")


class User(Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(200), nullable=False)
    role = Column(String(16), nullable=False)
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at = Column(UTCDateTime, nullable=True)
