"""The queue page's follow-up section in a real browser (rows by state, counts, links, WCAG clean), and a reopened
ticket's page pointing at the ticket it reopens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import expect

from crm_store.db import unit_of_work
from crm_store.models import Conversation, FollowUp, Ticket
from crm_store.models.base import utcnow
from tests.e2e.browser_checks import axe_source, collect_script_errors, wcag_violations
from tests.e2e.test_pages import sign_in
from tests.handoff.gateway import add_staff, running_gateway

pytestmark = pytest.mark.slow


async def test_the_queue_page_lists_follow_ups_by_state(page, sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    async with unit_of_work(sessions) as session:
        session.add_all([Conversation(id="followed-web", channel="web"), Conversation(id="tg-555", channel="telegram")])
        await session.flush()
        earlier = Ticket(
            conversation_id="followed-web",
            reason="complaint",
            status="resolved",
            context={},
            resolution="sent a replacement",
        )
        again = Ticket(conversation_id="followed-web", reason="complaint", status="queued", context={})
        other = Ticket(conversation_id="tg-555", reason="complaint", status="resolved", context={})
        session.add_all([earlier, again, other])
        await session.flush()
        session.add_all(
            [
                FollowUp(
                    ticket_id=earlier.id,
                    conversation_id="followed-web",
                    text="Sorted?",
                    state="reopened",
                    due_at=now - timedelta(hours=2),
                    sent_at=now - timedelta(hours=2),
                    answered_at=now - timedelta(hours=1),
                    reopened_ticket_id=again.id,
                ),
                FollowUp(
                    ticket_id=other.id,
                    conversation_id="tg-555",
                    text="Sorted?",
                    state="scheduled",
                    due_at=now + timedelta(days=2),
                ),
            ]
        )
        again_id, earlier_id = again.id, earlier.id
        again.context = {
            "reason": "complaint",
            "intents": [],
            "slots": {},
            "bot_tried": [],
            "summary": "Anonymous visitor; last asked: No, not yet",
            "reopened_from": {"ticket_id": earlier_id, "reason": "complaint", "resolution": "sent a replacement"},
        }
    await add_staff(sessions, "kim")
    errors = collect_script_errors(page)
    async with running_gateway(database_url, tmp_path) as gateway:
        await sign_in(page, gateway.base_url, "kim")
        await page.goto(gateway.base_url + "/console/")
        reopened = page.locator('#follow-up-rows tr[data-state="reopened"]')
        await expect(reopened).to_have_count(1)
        await expect(reopened.locator(f'a[href="/console/tickets/{again_id}"]')).to_have_text(f"#{again_id}")
        await expect(page.locator('#follow-up-rows tr[data-state="scheduled"]')).to_contain_text("telegram")
        await expect(page.locator("#follow-up-counts")).to_contain_text("Reopened: 1")
        await expect(page.locator("#follow-up-counts")).to_contain_text("Scheduled: 1")
        assert await wcag_violations(page, axe_source()) == []

        await page.locator(f'#follow-up-rows a[href="/console/tickets/{again_id}"]').click()
        reopened_from = page.locator("#context-reopened")
        await expect(reopened_from).to_contain_text("resolved with: sent a replacement")
        await expect(reopened_from.locator("a")).to_have_attribute("href", f"/console/tickets/{earlier_id}")
    assert errors == []
