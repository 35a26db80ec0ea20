"""Escalated conversations waiting for, or handled by, a human agent."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Text

from crm_store.models.base import Base, JSONType, UTCDateTime, utcnow

TICKET_STATUSES = ("queued", "assigned", "resolved", "closed")
TICKET_REASONS = ("asked_for_agent", "bot_failed", "complaint", "vip", "late_order", "other")


class Ticket(Base):
    __tablename__ = "tickets"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True, index=True)
    reason = Column(String(32), nullable=False)
    priority = Column(Integer, nullable=False, default=0)
    status = Column(String(16), nullable=False, default="queued", index=True)
    agent_id = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    context = Column(JSONType, nullable=False, default=dict)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    sla_due_at = Column(UTCDateTime, nullable=True)
    claimed_at = Column(UTCDateTime, nullable=True)
    first_response_at = Column(UTCDateTime, nullable=True)
    resolved_at = Column(UTCDateTime, nullable=True)
    resolution = Column(Text, nullable=True)
    # The customer segment whose agents alone may take the ticket (escalation.yml, segments.<name>.agents).
    reserved_for = Column(String(32), nullable=True)
