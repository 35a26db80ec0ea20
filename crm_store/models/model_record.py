"""Trained dialogue models: which one runs, which were rejected by the evaluation gate, and why."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Text

from crm_store.models.base import Base, JSONType, UTCDateTime, utcnow

MODEL_STATUSES = ("candidate", "active", "rejected", "retired")


class ModelRecord(Base):
    __tablename__ = "model_records"

    id = Column(Integer, primary_key=True)
    file_name = Column(String(200), nullable=False)
    inputs_hash = Column(String(64), nullable=False)
    status = Column(String(16), nullable=False, default="candidate", index=True)
    figures = Column(JSONType, nullable=False, default=dict)
    baseline = Column(JSONType, nullable=True)
    actor = Column(String(100), nullable=False)
    note = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    activated_at = Column(UTCDateTime, nullable=True)
