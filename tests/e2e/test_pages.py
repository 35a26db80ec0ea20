"""Every page a person sees, in a real browser: a full-page screenshot of each.

The screenshots are the reference for front-end refactors: `DESKBOT_SCREENSHOTS=docs/screenshots/after
pytest tests/e2e/test_pages.py` writes a set to compare with docs/screenshots/before by eye.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.browser_checks import chromium, full_page_screenshot, new_page
from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.slow
QUESTION = "where is my refund"
ASKS_FOR_A_PERSON = "I want to talk to a person"
LESSON = "where is my refund, it has been two weeks"


async def check(page: Page, name: str) -> None:
    """What every page gets: a screenshot for the before/after comparison."""
    await full_page_screenshot(page, name)


async def sign_in(page: Page, base_url: str, username: str) -> None:
    await page.goto(base_url + "/console/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#login-submit")
    await page.wait_for_url(lambda url: "/login" not in url)


async def tour_the_shop(browser: Browser, base_url: str) -> None:
    page = await new_page(browser)
    await page.goto(base_url + "/")
    await expect(page.locator("#demo-identity option")).to_have_count(4)
    await check(page, "shop-widget-closed")
    await page.click("#dsk-launcher")
    await expect(page.locator("#dsk-status")).to_have_text("online")
    await page.fill("#dsk-input", "how long do refunds take?")
    await page.click("#dsk-send")
    await expect(page.locator(".dsk-quick-reply")).to_have_count(2, timeout=60_000)
    await page.wait_for_timeout(500)  # the panel's opening transition
    await check(page, "shop-widget-open")


async def tour_the_agent_console(browser: Browser, base_url: str, agent: str) -> None:
    page = await new_page(browser)
    await page.goto(base_url + "/console/login")
    await expect(page.locator("#login-submit")).to_be_visible()
    await check(page, "console-login")
    await sign_in(page, base_url, agent)
    row = page.locator("tr.queue-row", has_text=ASKS_FOR_A_PERSON)
    await expect(row).to_have_count(1, timeout=15_000)
    await check(page, "console-queue")

    await row.locator(".claim-btn").click()
    await expect(page.locator("#ticket-status")).to_contain_text("ssigned", timeout=15_000)
    await expect(page.locator("#kb-suggestions .kb-insert").first).to_be_visible(timeout=15_000)
    await page.fill("#note-input", "Checked the warehouse: the parcel is on its way back.")
    await page.click("#note-add")
    await expect(page.locator("#notes li")).to_have_count(1)
    await check(page, "console-ticket")

    # Teach the bot, so the trainer has a candidate to review.
    await page.fill("#resolution-input", "Explained the refund timeline.")
    await page.select_option("#learn-kind", "question_variant")
    await page.fill("#learn-question", LESSON)
    await expect(page.locator("#learn-target")).not_to_have_value("", timeout=15_000)
    await check(page, "console-ticket-teach")
    await page.click("#resolve-handback")
    await expect(page.locator("#reply-input")).to_be_disabled(timeout=15_000)


async def tour_the_trainer_console(browser: Browser, base_url: str, trainer: str) -> None:
    page = await new_page(browser)
    await sign_in(page, base_url, trainer)
    await page.click("#nav-candidates")
    await expect(page.locator(".candidate").first).to_be_visible(timeout=15_000)
    await check(page, "trainer-candidates")

    await page.click("#nav-unanswered")
    await expect(page.locator("#unanswered-clusters .loading")).to_have_count(0, timeout=15_000)
    await check(page, "trainer-unanswered")

    await page.click("#nav-articles")
    row = page.locator("tr.article-row[data-slug='gift-wrapping']")
    await expect(row).to_have_count(1, timeout=15_000)
    await check(page, "trainer-articles")
    await row.click()
    await expect(page.locator("#article-title")).to_have_value("Do you offer gift wrapping?", timeout=15_000)
    await check(page, "trainer-article-editor")

    await page.click("#nav-try")
    await page.fill("#try-input", "will you match amazon's price if it is cheaper")
    await page.click("#try-btn")
    await expect(page.locator("#try-results .try-hit").first).to_be_visible(timeout=15_000)
    await check(page, "trainer-try")

    await page.click("#nav-models")
    await expect(page.locator("#models-current")).to_be_visible()
    await check(page, "trainer-models")


async def test_every_page(product, staff, customer) -> None:  # type: ignore[no-untyped-def]
    await customer.connect()
    await customer.say(QUESTION)
    await customer.say(ASKS_FOR_A_PERSON)
    async with chromium() as browser:
        await tour_the_shop(browser, product.base_url)
        await tour_the_agent_console(browser, product.base_url, staff["agent"])
        await tour_the_trainer_console(browser, product.base_url, staff["trainer"])
