"""The reports page in a real browser on the hand-worked week: every chart drawn with data, every table equal to its CSV.

It also writes the reference screenshots, docs/screenshots/reports-*.png.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

import pytest
from playwright.async_api import expect

from crm_store import clock
from crm_store.db import unit_of_work
from crm_store.demo_data import generate, seed_database
from crm_store.demo_history import SHOP_ZONE, generate_history, seed_history
from crm_store.settings import PROJECT_ROOT
from tests.crm_store.report_fixture import NOW, seed_week
from tests.e2e.browser_checks import axe_source, collect_script_errors, full_page_screenshot, new_page, wcag_violations
from tests.e2e.test_pages import sign_in
from tests.handoff.gateway import add_staff, running_gateway

pytestmark = pytest.mark.slow
DOCS_SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
CHARTS = ("outcomes", "reasons", "sla", "csat", "helpful", "volume", "agents")
TABLES = (
    "outcomes",
    "escalation_reasons",
    "response_times",
    "sla",
    "csat",
    "unanswered",
    "volume",
    "agents",
    "segments",
    "follow_ups",
)

# What Chart.js holds for a canvas: each dataset's length and the sum of its numbers (the heat map's are {v}).
CHART_DATA = """id => {
  const chart = Chart.getChart(id);
  if (!chart) return null;
  return chart.data.datasets.map(d => ({
    points: d.data.length,
    total: d.data.reduce((sum, v) => sum + (typeof v === 'number' ? v : v.v), 0),
  }));
}"""
TABLE_CELLS = (
    """el => Array.from(el.querySelectorAll('tr')).map(tr => Array.from(tr.children).map(c => c.textContent))"""
)


async def test_each_chart_has_data_and_each_csv_matches_its_table(page, sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        await seed_week(session)
    await add_staff(sessions, "lou", role="lead")
    errors = collect_script_errors(page)
    with clock.using(clock.FixedClock(NOW)):
        async with running_gateway(database_url, tmp_path) as gateway:
            await sign_in(page, gateway.base_url, "lou")
            await expect(page).to_have_url(gateway.base_url + "/reports/")
            await page.goto(gateway.base_url + "/reports/?from=2026-11-02&to=2026-11-08")
            await expect(page.locator("body")).to_have_attribute("data-report", "ready")
            await expect(page.locator("#kpi-conversations .kpi-value")).to_have_text("8")
            await expect(page.locator("#kpi-containment .kpi-value")).to_have_text("28.6%")
            await expect(page.locator("#filter-from")).to_have_value("2026-11-02")
            await expect(page.locator(".reports-link")).to_be_visible()  # admins and leads see the way here
            assert await wcag_violations(page, axe_source()) == []

            for name in CHARTS:
                datasets = await page.evaluate(CHART_DATA, f"chart-{name}")
                assert datasets, f"chart-{name} was not drawn"
                assert all(d["points"] > 0 for d in datasets) and sum(d["total"] for d in datasets) > 0, name
            # The heat map is a full week of hours; the week's 8 conversations are in it.
            assert await page.evaluate(CHART_DATA, "chart-volume") == [{"points": 7 * 24, "total": 8}]

            for name in TABLES:
                table = page.locator(f'.report-table[data-table="{name}"]')
                shown = await table.locator("table").evaluate(TABLE_CELLS)
                href = await table.locator(".csv-link").get_attribute("href")
                assert href is not None
                response = await page.request.get(gateway.base_url + href)
                assert response.ok, href
                exported = list(csv.reader(io.StringIO(await response.text())))
                assert exported == shown, name
                assert len(shown) > 1, f"{name}: the week has rows for every table"

            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (one mkdir before the pictures)
            # The page scrolls inside .main, so a "full page" is a viewport as tall as its content.
            height = await page.evaluate("document.querySelector('.main').scrollHeight")
            await page.set_viewport_size({"width": 1280, "height": height})
            await full_page_screenshot(page, "reports-week", DOCS_SCREENSHOTS)
            await page.set_viewport_size({"width": 1280, "height": 860})
            await page.locator("#speed").scroll_into_view_if_needed()
            await page.screenshot(path=str(DOCS_SCREENSHOTS / "reports-speed-and-sla.png"))
            assert errors == []

            # A bad range: the page says what is wrong (the browser logs the 400 it got).
            await page.goto(gateway.base_url + "/reports/?from=2026-11-08&to=2026-11-02")
            await expect(page.locator("#report-error")).to_contain_text("must not be before from")


async def test_the_demo_history_fills_the_default_month(page, sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """What a fresh `make run` shows a lead: the last 30 days of the seeded history (docs/screenshots/reports-demo*.png)."""
    today = date(2026, 11, 30)
    people = generate(today=today)
    async with unit_of_work(sessions) as session:
        await seed_database(session, people)
        await seed_history(session, [p.email for p in people], generate_history(len(people), today=today))
    await add_staff(sessions, "lou", role="lead")
    errors = collect_script_errors(page)
    with clock.using(clock.FixedClock(datetime.combine(today, time(9), tzinfo=SHOP_ZONE))):
        async with running_gateway(database_url, tmp_path) as gateway:
            await sign_in(page, gateway.base_url, "lou")
            await expect(page.locator("body")).to_have_attribute("data-report", "ready")
            await expect(page.locator("#report-range")).to_have_text("2026-11-01 to 2026-11-30 (America/New_York)")
            for name in CHARTS:
                datasets = await page.evaluate(CHART_DATA, f"chart-{name}")
                assert datasets and sum(d["total"] for d in datasets) > 0, name
            height = await page.evaluate("document.querySelector('.main').scrollHeight")
            await page.set_viewport_size({"width": 1280, "height": height})
            await full_page_screenshot(page, "reports-demo", DOCS_SCREENSHOTS)
            await page.set_viewport_size({"width": 1280, "height": 860})
            await page.screenshot(path=str(DOCS_SCREENSHOTS / "reports-demo-overview.png"))
    assert errors == []


async def test_the_sidebar_shows_the_reports_link_to_admins_only(page, sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "alex")
    await add_staff(sessions, "ari", role="admin")
    async with running_gateway(database_url, tmp_path) as gateway:
        await sign_in(page, gateway.base_url, "alex")
        await expect(page.locator("#user-role")).to_have_text("agent")
        await expect(page.locator(".reports-link")).to_be_hidden()
        assert page.context.browser is not None
        admin = await new_page(page.context.browser)
        await sign_in(admin, gateway.base_url, "ari")
        await expect(admin.locator(".reports-link")).to_be_visible()
        await admin.click(".reports-link")
        await expect(admin.locator("body")).to_have_attribute("data-report", "ready")
