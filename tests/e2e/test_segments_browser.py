"""The agent's customer panel in a real browser shows the customer's segments (recomputed by the gateway at start)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import expect

from crm_store import clock
from crm_store.db import unit_of_work
from crm_store.models import Conversation, Ticket
from tests.e2e.browser_checks import collect_script_errors
from tests.e2e.test_pages import sign_in
from tests.factories import make_customer, make_order
from tests.handoff.gateway import add_staff, running_gateway

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_customer_panel_lists_segments(page, sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        customer = make_customer(first_name="Rosa", tier="gold")
        make_order(customer, "AR-1", placed_at=clock.now() - timedelta(days=40), total_cents=80_00)
        make_order(customer, "AR-2", placed_at=clock.now() - timedelta(days=70), total_cents=60_00)
        session.add(customer)
        await session.flush()
        session.add(Conversation(id="rosa-chat", channel="web", customer_id=customer.id, state="queued"))
        await session.flush()
        ticket = Ticket(conversation_id="rosa-chat", customer_id=customer.id, reason="complaint", status="queued")
        session.add(ticket)
    await add_staff(sessions, "alex")
    errors = collect_script_errors(page)
    async with running_gateway(database_url, tmp_path) as gateway:
        await sign_in(page, gateway.base_url, "alex")
        await page.goto(f"{gateway.base_url}/console/tickets/{ticket.id}")
        chips = page.locator("#customer-panel [data-segments] .chip")
        await expect(chips).to_have_text(["At risk", "Premium", "Complaining"])
        title = await page.locator("#customer-panel [data-segments]").get_attribute("title")
        assert title is not None and "Recency Lapsing" in title and "2 orders, $140.00 in a year" in title
    assert errors == []
