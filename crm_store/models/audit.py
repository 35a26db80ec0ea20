"""Internal notes on customers and tickets, and the audit trail of who changed what."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Text

from crm_store.models.base import Base, JSONType, UTCDateTime, utcnow


class Note(Base):
    __tablename__ = "notes"

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=True, index=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=True, index=True)
    author_id = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    text = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class AuditEntry(Base):
    """Append-only. ``actor`` is a user name, ``bot``, ``customer:<id>`` or ``system``."""

    __tablename__ = "audit_entries"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    actor = Column(String(100), nullable=False)
    action = Column(String(64), nullable=False)
    entity_type = Column(String(32), nullable=False)
    entity_id = Column(String(64), nullable=False)
    details = Column(JSONType, nullable=False, default=dict)
