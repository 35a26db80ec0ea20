"""What the bot should learn from conversations, awaiting a trainer's review."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Text

from crm_store.models.base import Base, JSONType, UTCDateTime, utcnow

CANDIDATE_KINDS = ("new_article", "question_variant", "nlu_example", "wrong_answer", "no_answer")
CANDIDATE_STATUSES = ("pending", "approved", "rejected")


class TrainingCandidate(Base):
    __tablename__ = "training_candidates"

    id = Column(Integer, primary_key=True)
    kind = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False, default="pending", index=True)
    question = Column(Text, nullable=False)  # scrubbed of personal data
    answer = Column(Text, nullable=True)  # scrubbed; for new articles
    target = Column(String(120), nullable=True)  # article slug or intent name
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True, index=True)
    conversation_id = Column(String(64), ForeignKey("conversations.id", ondelete="SET NULL"), nullable=True)
    source_message_ids = Column(JSONType, nullable=False, default=list)
    proposed_by_id = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    reviewed_by_id = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    review_note = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    reviewed_at = Column(UTCDateTime, nullable=True)
