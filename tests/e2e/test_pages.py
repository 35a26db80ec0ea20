"""Every page a person sees, in a real browser: a full-page screenshot and an axe-core WCAG scan of each.

The screenshots are the reference for front-end refactors: `DESKBOT_SCREENSHOTS=docs/screenshots/after
pytest tests/e2e/test_pages.py` writes a set to compare with docs/screenshots/before by eye.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.browser_checks import (
    axe_source,
    chromium,
    collect_script_errors,
    full_page_screenshot,
    new_page,
    wcag_violations,
)
from tests.staff_client import PASSWORD

pytestmark = pytest.mark.slow
QUESTION = "where is my refund"
ASKS_FOR_A_PERSON = "I want to talk to a person"
LESSON = "where is my refund, it has been two weeks"


@dataclass
class Tour:
    """What the tour found: axe violations per page, and script errors."""

    browser: Browser
    base_url: str
    axe: str
    violations: dict[str, list[str]] = field(default_factory=dict)
    script_errors: list[str] = field(default_factory=list)

    async def open(self) -> Page:
        page = await new_page(self.browser)
        errors = collect_script_errors(page)
        page.on("close", lambda _: self.script_errors.extend(errors))
        return page

    async def check(self, page: Page, name: str) -> None:
        """What every page gets: a screenshot for the before/after comparison, and a WCAG scan."""
        await full_page_screenshot(page, name)
        self.violations[name] = await wcag_violations(page, self.axe)

    def report(self) -> str:
        return "\n".join(f"{name}: {v}" for name, found in self.violations.items() for v in found)


async def sign_in(page: Page, base_url: str, username: str) -> None:
    await page.goto(base_url + "/console/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#login-submit")
    await page.wait_for_url(lambda url: "/login" not in url)


async def tour_the_shop(tour: Tour) -> None:
    page = await tour.open()
    await page.goto(tour.base_url + "/")
    await expect(page.locator("#demo-identity option")).to_have_count(4)
    await tour.check(page, "shop-widget-closed")
    await page.click("#dsk-launcher")
    await expect(page.locator("#dsk-status")).to_have_text("online")
    await page.fill("#dsk-input", "how long do refunds take?")
    await page.click("#dsk-send")
    await expect(page.locator(".dsk-quick-reply")).to_have_count(2, timeout=60_000)
    await page.wait_for_timeout(500)  # the panel's opening transition
    await tour.check(page, "shop-widget-open")
    await page.close()


async def tour_the_agent_console(tour: Tour, agent: str) -> None:
    page = await tour.open()
    await page.goto(tour.base_url + "/console/login")
    await expect(page.locator("#login-submit")).to_be_visible()
    await tour.check(page, "console-login")
    await sign_in(page, tour.base_url, agent)
    row = page.locator("tr.queue-row", has_text=QUESTION)  # the queue previews the question, not the call for a person
    await expect(row).to_have_count(1, timeout=15_000)
    await tour.check(page, "console-queue")

    await row.locator(".claim-btn").click()
    await expect(page.locator("#ticket-status")).to_contain_text("ssigned", timeout=15_000)
    await expect(page.locator("#kb-suggestions .kb-insert").first).to_be_visible(timeout=15_000)
    await page.fill("#note-input", "Checked the warehouse: the parcel is on its way back.")
    await page.click("#note-add")
    await expect(page.locator("#notes li")).to_have_count(1)
    await tour.check(page, "console-ticket")

    # Teach the bot, so the trainer has a candidate to review.
    await page.fill("#resolution-input", "Explained the refund timeline.")
    await page.select_option("#learn-kind", "question_variant")
    await page.fill("#learn-question", LESSON)
    await expect(page.locator("#learn-target")).not_to_have_value("", timeout=15_000)
    await tour.check(page, "console-ticket-teach")
    await page.click("#resolve-handback")
    await expect(page.locator("#reply-input")).to_be_disabled(timeout=15_000)
    await page.close()


async def tour_the_trainer_console(tour: Tour, trainer: str) -> None:
    page = await tour.open()
    await sign_in(page, tour.base_url, trainer)
    await page.click("#nav-candidates")
    await expect(page.locator(".candidate").first).to_be_visible(timeout=15_000)
    await tour.check(page, "trainer-candidates")

    await page.click("#nav-unanswered")
    await expect(page.locator("#unanswered-clusters .loading")).to_have_count(0, timeout=15_000)
    await tour.check(page, "trainer-unanswered")

    await page.click("#nav-articles")
    row = page.locator("tr.article-row[data-slug='gift-wrapping']")
    await expect(row).to_have_count(1, timeout=15_000)
    await tour.check(page, "trainer-articles")
    await row.click()
    await expect(page.locator("#article-title")).to_have_value("Do you offer gift wrapping?", timeout=15_000)
    await tour.check(page, "trainer-article-editor")

    await page.click("#nav-try")
    await page.fill("#try-input", "will you match amazon's price if it is cheaper")
    await page.click("#try-btn")
    await expect(page.locator("#try-results .try-hit").first).to_be_visible(timeout=15_000)
    await tour.check(page, "trainer-try")

    await page.click("#nav-models")
    await expect(page.locator("#models-current")).to_be_visible()
    await tour.check(page, "trainer-models")
    await page.close()


async def test_every_page(product, staff, customer) -> None:  # type: ignore[no-untyped-def]
    axe = axe_source()  # fails first, with how to install it, when axe-core is missing
    await customer.connect()
    await customer.say(QUESTION)
    await customer.say(ASKS_FOR_A_PERSON)
    async with chromium() as browser:
        tour = Tour(browser, product.base_url, axe)
        await tour_the_shop(tour)
        await tour_the_agent_console(tour, staff["agent"])
        await tour_the_trainer_console(tour, staff["trainer"])
    assert tour.script_errors == [], "no page logs a script error"
    assert not tour.report(), "WCAG 2.1 A/AA violations found by axe-core:\n" + tour.report()
