"""The customer panel beside a ticket: contact details, recent orders and conversations, agents' notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import Customer, Order
from crm_store.models.segment import CustomerSegment
from crm_store.repositories import ConversationRepository, NoteRepository, OrderRepository, SegmentRepository


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _order(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "placed_at": iso(order.placed_at),
        "total": f"${order.total_cents / 100:,.2f}",
        "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "promised_date": order.promised_date.isoformat() if order.promised_date else None,
    }


def _address(customer: Customer) -> str:
    parts = (customer.address_line1, customer.city, customer.region, customer.postal_code, customer.country)
    return ", ".join(part for part in parts if part)


def _segments(row: CustomerSegment | None) -> dict[str, Any] | None:
    """The customer's segments as last recomputed (None before the first recomputation)."""
    if row is None:
        return None
    return {
        "names": list(row.segments or []),
        "recency": row.recency,
        "frequency": row.frequency,
        "monetary": row.monetary,
        "orders_in_year": row.orders_in_window,
        "spend_in_year": f"${row.spend_in_window_cents / 100:,.2f}",
        "computed_at": iso(row.computed_at),
    }


async def customer_record(session: AsyncSession, customer: Customer) -> dict[str, Any]:
    orders = await OrderRepository(session).recent_for_customer(customer.id, limit=10)
    conversations = await ConversationRepository(session).for_customer(customer.id, limit=10)
    notes = await NoteRepository(session).for_customer(customer.id, limit=20)
    return {
        "id": customer.id,
        "name": customer.full_name,
        "email": customer.email,
        "phone": customer.phone,
        "tier": customer.tier,
        "address": _address(customer),
        "tags": list(customer.tags or []),
        "segments": _segments(await SegmentRepository(session).for_customer(customer.id)),
        "orders": [_order(order) for order in orders],
        "conversations": [
            {"id": c.id, "channel": c.channel, "started_at": iso(c.started_at), "csat": c.csat} for c in conversations
        ],
        "notes": [
            {"id": note.id, "author": author or "someone", "text": note.text, "at": iso(note.created_at)}
            for note, author in notes
        ],
    }


__all__ = ["customer_record", "iso"]
