"""Customers and the channel identities that point at them."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import relationship

from crm_store.models.base import Base, JSONType, UTCDateTime, utcnow

CUSTOMER_TIERS = ("standard", "silver", "gold", "vip")
CHANNELS = ("web", "telegram")


class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    first_name = Column(String(100), nullable=False)
    last_name = Column(String(100), nullable=False)
    email = Column(String(254), nullable=False, unique=True)
    phone = Column(String(32), nullable=True, index=True)
    address_line1 = Column(String(200), nullable=True)
    address_line2 = Column(String(200), nullable=True)
    city = Column(String(100), nullable=True)
    region = Column(String(100), nullable=True)
    postal_code = Column(String(20), nullable=True)
    country = Column(String(2), nullable=True)
    tier = Column(String(16), nullable=False, default="standard")
    tags = Column(JSONType, nullable=False, default=list)
    marketing_consent = Column(Boolean, nullable=False, default=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    orders = relationship(
        "Order",
        back_populates="customer",
        order_by="Order.placed_at.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    identities = relationship("ChannelIdentity", back_populates="customer", passive_deletes=True)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ChannelIdentity(Base):
    """Who is writing on a channel (a web visitor id, a Telegram user id), and whether we know them."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id", name="uq_channel_identities_channel_user"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(16), nullable=False)
    channel_user_id = Column(String(128), nullable=False)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True, index=True)
    verified = Column(Boolean, nullable=False, default=False)
    display_name = Column(String(200), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    verified_at = Column(UTCDateTime, nullable=True)

    customer = relationship("Customer", back_populates="identities")
