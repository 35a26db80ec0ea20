"""Staff accounts: agents, trainers and admins."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String

from crm_store.models.base import Base, UTCDateTime, utcnow

USER_ROLES = ("agent", "trainer", "admin", "lead")  # lead: reads the reports, nothing else


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


class UserSession(Base):
    """A console login. The cookie holds a random token; only its hash is stored, so a database leak logs no one in."""

    __tablename__ = "user_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False)
    revoked_at = Column(UTCDateTime, nullable=True)
