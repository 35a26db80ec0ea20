"""Test data builders with believable defaults; override only what a test cares about."""

from __future__ import annotations

from datetime import date, datetime, timezone
from itertools import count

from crm_store.models import Customer, Order, OrderEvent, OrderItem, TrainingCandidate, User

_sequence = count(1)


def make_customer(**overrides: object) -> Customer:
    n = next(_sequence)
    fields: dict[str, object] = {
        "first_name": "Nora",
        "last_name": f"Lindqvist{n}",
        "email": f"nora.lindqvist{n}@example.com",
        "phone": f"+1503555{n:04d}",
        "city": "Portland",
        "country": "US",
        "tier": "standard",
        "tags": [],
    }
    fields.update(overrides)
    return Customer(**fields)


def make_order(customer: Customer, number: str, status: str = "shipped", **overrides: object) -> Order:
    placed = datetime(2026, 11, 1, 15, 30, tzinfo=timezone.utc)
    fields: dict[str, object] = {
        "number": number,
        "status": status,
        "placed_at": placed,
        "promised_date": date(2026, 11, 6),
        "carrier": "UPS",
        "tracking_number": "1Z999AA10123456784",
        "total_cents": 3995,
        "items": [OrderItem(sku="KIT-1001", name="Cast Iron Skillet 10in", quantity=1, unit_price_cents=3995)],
        "events": [
            OrderEvent(status="placed", at=placed),
            OrderEvent(status=status, at=placed.replace(day=2)),
        ],
    }
    fields.update(overrides)
    order = Order(**fields)
    customer.orders.append(order)
    return order


def make_trainer(username: str = "tara", **overrides: object) -> User:
    fields: dict[str, object] = {
        "username": username,
        "display_name": username.title(),
        "role": "trainer",
        "password_hash": "not-a-real-hash",
    }
    fields.update(overrides)
    return User(**fields)


def make_lesson(intent: str, text: str, **overrides: object) -> TrainingCandidate:
    """An approved NLU example: what the trainer console stores for an NLU lesson."""
    fields: dict[str, object] = {
        "kind": "nlu_example",
        "status": "approved",
        "question": text,
        "target": intent,
        "reviewed_at": datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc),
    }
    fields.update(overrides)
    return TrainingCandidate(**fields)
