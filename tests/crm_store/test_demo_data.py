"""The demo shop's data: deterministic, believable, and internally consistent."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timezone

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm_store.db import unit_of_work
from crm_store.demo_data import EXAMPLE_CUSTOMERS, generate, seed_database
from crm_store.models import Customer, Order
from crm_store.models.order import ORDER_STATUSES

TODAY = date(2026, 11, 23)


def _digest(people) -> str:  # type: ignore[no-untyped-def]
    return hashlib.sha256(repr([(person, person.orders) for person in people]).encode()).hexdigest()


def test_same_seed_same_data_different_seed_different_data() -> None:
    assert _digest(generate(seed=1, today=TODAY)) == _digest(generate(seed=1, today=TODAY))
    assert _digest(generate(seed=1, today=TODAY)) != _digest(generate(seed=2, today=TODAY))


def test_size_and_spread() -> None:
    people = generate(today=TODAY)
    orders = [order for person in people for order in person.orders]
    assert len(people) >= 200
    assert len(orders) >= 1000
    assert {order.status for order in orders} == set(ORDER_STATUSES)
    assert all(person.orders for person in people), "every customer has at least one order"
    assert len({person.email for person in people}) == len(people)
    assert len({person.phone for person in people}) == len(people)
    assert {person.tier for person in people} == {"standard", "silver", "gold", "vip"}
    assert len({order.number for order in orders}) == len(orders)


def test_histories_agree_with_orders() -> None:
    now = datetime.combine(TODAY, time(12), tzinfo=timezone.utc)
    for person in generate(today=TODAY):
        for order in person.orders:
            statuses = [status for status, _, _ in order.events]
            times = [at for _, at, _ in order.events]
            assert statuses[0] == "placed" and statuses[-1] == order.status, order.number
            assert times == sorted(times) and times[-1] <= now, order.number
            shipped = "shipped" in statuses
            assert (order.carrier is not None) == shipped and (order.tracking_number is not None) == shipped
            assert order.promised_date >= order.placed_at.date()
            if order.status == "delivered":
                assert order.delivered_at is not None
            if order.status == "delayed":
                assert order.promised_date <= TODAY, f"{order.number} is delayed but not yet late"
            if order.status in ("returned", "refunded") and "returned" in statuses:
                assert statuses.index("delivered") < statuses.index("returned")
            assert order.items and order.total_cents == sum(q * p for _, _, q, p in order.items)


def test_order_numbers_rise_with_time() -> None:
    orders = sorted((order for person in generate(today=TODAY) for order in person.orders), key=lambda o: o.number)
    assert [order.placed_at for order in orders] == sorted(order.placed_at for order in orders)


def test_example_customers_have_their_documented_orders() -> None:
    people = generate(today=TODAY)
    for person, (first, last, email, tier, statuses) in zip(people, EXAMPLE_CUSTOMERS, strict=False):
        assert (person.first_name, person.last_name, person.email, person.tier) == (first, last, email, tier)
        assert sorted(order.status for order in person.orders) == sorted(statuses)


async def test_seeded_database_matches_the_generator(sessions) -> None:
    people = generate(seed=5, customers=30, orders=120, today=TODAY)
    async with unit_of_work(sessions) as session:
        assert await seed_database(session, people) == (30, 120)
    async with unit_of_work(sessions) as session:
        customers = (
            (
                await session.execute(
                    select(Customer)
                    .options(selectinload(Customer.orders).selectinload(Order.events))
                    .order_by(Customer.id)
                )
            )
            .scalars()
            .all()
        )
    assert [customer.email for customer in customers] == [person.email for person in people]
    stored = {order.number: order for customer in customers for order in customer.orders}
    generated = {order.number: order for person in people for order in person.orders}
    assert stored.keys() == generated.keys()
    for number, order in generated.items():
        assert stored[number].status == order.status
        assert [event.status for event in stored[number].events] == [status for status, _, _ in order.events]
        assert stored[number].placed_at == order.placed_at
