"""Conversations and their messages, on any channel."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Text, UniqueConstraint, false

from crm_store.models.base import Base, JSONType, UTCDateTime, utcnow

CONVERSATION_STATES = ("bot", "queued", "assigned", "closed")
SENDER_KINDS = ("customer", "bot", "agent", "system")


class Conversation(Base):
    __tablename__ = "conversations"

    id = Column(String(64), primary_key=True)
    channel = Column(String(16), nullable=False)
    channel_identity_id = Column(Integer, ForeignKey("channel_identities.id", ondelete="SET NULL"), nullable=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True, index=True)
    state = Column(String(16), nullable=False, default="bot")
    started_at = Column(UTCDateTime, nullable=False, default=utcnow)
    last_message_at = Column(UTCDateTime, nullable=False, default=utcnow)
    ended_at = Column(UTCDateTime, nullable=True)
    csat = Column(Integer, nullable=True)
    csat_comment = Column(Text, nullable=True)
    summary = Column(Text, nullable=True)
    # Turns in a row the bot could not understand or answer; the escalation policy reads it.
    failed_turns = Column(Integer, nullable=False, default=0, server_default="0")
    # The customer's language (en, zh): detected from each message unless the customer chose it in the widget.
    language = Column(String(8), nullable=True)
    language_chosen = Column(Boolean, nullable=False, default=False, server_default=false())


class Message(Base):
    __tablename__ = "messages"
    # A channel's redelivery of the same message is recognised by this pair.
    __table_args__ = (UniqueConstraint("channel", "channel_message_id", name="uq_messages_channel_message"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True)
    sender = Column(String(16), nullable=False)
    sender_user_id = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    text = Column(Text, nullable=True)
    payload = Column(JSONType, nullable=True)
    channel = Column(String(16), nullable=False)
    channel_message_id = Column(String(128), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    processed_at = Column(UTCDateTime, nullable=True)
    # When an outbound message reached a channel that needs pushing (Telegram); unset means "send it".
    delivered_at = Column(UTCDateTime, nullable=True)
