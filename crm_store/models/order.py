"""Orders, their items and their status history."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from crm_store.models.base import Base, UTCDateTime, utcnow

ORDER_STATUSES = (
    "placed",
    "paid",
    "packed",
    "shipped",
    "in_transit",
    "delivered",
    "delayed",
    "cancelled",
    "returned",
    "refunded",
)
CARRIERS = ("UPS", "FedEx", "USPS", "DHL Express")


class Order(Base):
    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    number = Column(String(32), nullable=False, unique=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(16), nullable=False, default="placed")
    placed_at = Column(UTCDateTime, nullable=False, default=utcnow)
    promised_date = Column(Date, nullable=True)
    delivered_at = Column(UTCDateTime, nullable=True)
    carrier = Column(String(32), nullable=True)
    tracking_number = Column(String(64), nullable=True)
    shipping_method = Column(String(32), nullable=False, default="standard")
    ship_to = Column(Text, nullable=True)
    currency = Column(String(3), nullable=False, default="USD")
    total_cents = Column(Integer, nullable=False, default=0)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    customer = relationship("Customer", back_populates="orders")
    items = relationship("OrderItem", back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id")
    events = relationship("OrderEvent", back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.at")


class OrderItem(Base):
    __tablename__ = "order_items"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    sku = Column(String(32), nullable=False)
    name = Column(String(200), nullable=False)
    quantity = Column(Integer, nullable=False, default=1)
    unit_price_cents = Column(Integer, nullable=False)

    order = relationship("Order", back_populates="items")


class OrderEvent(Base):
    """One status change, in order; the last one agrees with ``Order.status``."""

    __tablename__ = "order_events"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(16), nullable=False)
    at = Column(UTCDateTime, nullable=False)
    location = Column(String(100), nullable=True)
    note = Column(Text, nullable=True)

    order = relationship("Order", back_populates="events")
