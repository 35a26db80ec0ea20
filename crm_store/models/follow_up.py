"""Follow-up visits: after a ticket is resolved, the customer is asked later whether it is sorted."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Text

from crm_store.models.base import Base, UTCDateTime, utcnow

# scheduled -> sent -> answered_yes | answered_no | reopened; scheduled | sent -> cancelled.
# answered_no: the customer said no while a person already had the conversation (no new ticket);
# reopened: the "no" opened a new ticket (reopened_ticket_id).
FOLLOW_UP_STATES = ("scheduled", "sent", "answered_yes", "answered_no", "reopened", "cancelled")


class FollowUp(Base):
    __tablename__ = "follow_ups"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    conversation_id = Column(String(64), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True)
    # The question asked, fixed when scheduled: a policy edit later does not change what a customer was asked.
    text = Column(Text, nullable=False)
    state = Column(String(16), nullable=False, default="scheduled", index=True)
    due_at = Column(UTCDateTime, nullable=False, index=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = Column(UTCDateTime, nullable=True)
    answered_at = Column(UTCDateTime, nullable=True)
    rating = Column(Integer, nullable=True)
    message_id = Column(Integer, ForeignKey("messages.id", ondelete="SET NULL"), nullable=True)
    reopened_ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True)
