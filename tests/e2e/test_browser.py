"""The demo shop in a real browser (Debian's chromium driven by Playwright; no browser download)."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.browser_checks import SCREENSHOTS

pytestmark = pytest.mark.slow


async def test_a_customer_chats_in_the_demo_shop(page, product) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.goto(product.base_url + "/")
    await expect(page.locator("#demo-identity option")).to_have_count(4)  # anonymous + the three demo customers
    await page.click("#dsk-launcher")
    await expect(page.locator("#dsk-status")).to_have_text("online")

    await page.fill("#dsk-input", "how long do refunds take?")
    await page.click("#dsk-send")
    bot = page.locator(".dsk-msg.dsk-from-bot .dsk-text")
    await expect(bot.first).to_contain_text("5-10 business days", timeout=60_000)
    await expect(page.locator(".dsk-quick-reply")).to_have_count(2)

    answered = await bot.count()
    await page.fill("#dsk-input", "<img src=x onerror=alert(1)><b>bold?</b>")
    await page.click("#dsk-send")
    mine = page.locator(".dsk-msg.dsk-from-customer .dsk-text").last
    await expect(mine).to_have_text("<img src=x onerror=alert(1)><b>bold?</b>")
    assert await page.locator("#dsk-messages img, #dsk-messages b").count() == 0

    await expect(bot).not_to_have_count(answered, timeout=60_000)  # the bot answered that one too
    await page.screenshot(path=str(SCREENSHOTS / "web-chat.png"))


async def test_a_signed_in_demo_customer_sees_their_orders(page, product) -> None:  # type: ignore[no-untyped-def]
    await page.goto(product.base_url + "/")
    await page.select_option("#demo-identity", "maria.jensen@example.com")
    # The page disables the picker until the widget has restarted as Maria; typing before that is wiped by the restart.
    await expect(page.locator("#demo-identity")).to_be_enabled()
    await page.click("#dsk-launcher")
    await expect(page.locator("#dsk-status")).to_have_text("online")
    await page.fill("#dsk-input", "where is my order?")
    await page.click("#dsk-send")
    buttons = page.locator(".dsk-quick-reply")
    await expect(buttons.first).to_contain_text("HP-", timeout=60_000)
    await buttons.first.click()
    await expect(page.locator(".dsk-msg.dsk-from-bot .dsk-text").last).to_contain_text("Order HP-", timeout=60_000)

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.wait_for_timeout(800)  # let the panel's resize transition finish before the picture
    await page.screenshot(path=str(SCREENSHOTS / "web-chat-phone.png"))
    box = await page.locator("#dsk-panel").bounding_box()
    assert box is not None and box["width"] >= 380, "on a phone the chat fills the screen"


async def test_the_widget_falls_back_to_rest_when_websockets_fail(page, product) -> None:  # type: ignore[no-untyped-def]
    # A browser (or proxy) where no WebSocket ever opens: after three tries the widget sends and polls over REST.
    await page.add_init_script("window.WebSocket = function () { throw new Error('no websockets here'); };")
    await page.goto(product.base_url + "/")
    await page.click("#dsk-launcher")
    await expect(page.locator("#dsk-status")).to_have_text("online", timeout=30_000)
    await page.fill("#dsk-input", "how long do refunds take?")
    await page.click("#dsk-send")
    await expect(page.locator(".dsk-msg.dsk-from-bot .dsk-text").first).to_contain_text(
        "5-10 business days", timeout=60_000
    )
    await expect(page.locator(".dsk-msg.dsk-pending")).to_have_count(0)
