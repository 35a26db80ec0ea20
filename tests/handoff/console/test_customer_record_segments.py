"""The agent's CRM panel shows the customer's segments as last recomputed."""

from __future__ import annotations

from datetime import timedelta

from crm_store import clock
from crm_store.db import unit_of_work
from crm_store.repositories import SegmentRepository
from handoff.console.customer_record import customer_record
from tests.factories import make_customer, make_order


async def test_the_panel_carries_segments_once_computed(sessions, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        customer = make_customer(tier="vip")
        make_order(customer, "P-1", placed_at=clock.now() - timedelta(days=100), total_cents=120_00)
        make_order(customer, "P-2", placed_at=clock.now() - timedelta(days=120), total_cents=30_00)
        session.add(customer)
        await session.flush()
        assert (await customer_record(session, customer))["segments"] is None, "before the first recomputation"
        await SegmentRepository(session).recompute(clock.now())
        record = await customer_record(session, customer)
    assert record["segments"] == {
        "names": ["at_risk", "lapsed", "premium"],
        "recency": "lapsed",
        "frequency": "repeat",
        "monetary": "mid",
        "orders_in_year": 2,
        "spend_in_year": "$150.00",
        "computed_at": clock.now().isoformat(),
    }
