"""Each customer's segments as last recomputed (crm_store.segments defines them)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String

from crm_store.models.base import Base, JSONType, UTCDateTime


class CustomerSegment(Base):
    """One row per customer, replaced whole by every recomputation."""

    __tablename__ = "customer_segments"

    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    recency = Column(String(16), nullable=False)
    frequency = Column(String(16), nullable=False)
    monetary = Column(String(16), nullable=False)
    last_order_at = Column(UTCDateTime, nullable=True)
    orders_in_window = Column(Integer, nullable=False, default=0)
    spend_in_window_cents = Column(Integer, nullable=False, default=0)
    open_complaints = Column(Integer, nullable=False, default=0)
    segments = Column(JSONType, nullable=False, default=list)  # names, in crm_store.segments' order
    computed_at = Column(UTCDateTime, nullable=False)
