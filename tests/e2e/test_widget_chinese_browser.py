"""The web chat widget in Chinese, in a real browser against the whole product (issue 18).

A customer switches the widget to 中文 in its header: every UI text changes at once, the choice is remembered,
and every message says it, so the bot answers in Chinese even to an English-looking or ID-only message. A page
in Chinese (``<html lang="zh-CN">``, ``data-language="zh"``, or a Chinese browser on a page without a language)
starts the widget in Chinese without a click.

`DESKBOT_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_widget_chinese_browser.py` writes the reference
pictures (widget-chinese-answer.png, widget-language-switcher.png) where the README's readers see them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, Route, expect

from tests.e2e.browser_checks import (
    PAGE_SCREENSHOTS,
    axe_source,
    collect_script_errors,
    wcag_violations,
)
from tests.e2e.test_web_chat import MARIA, _customer, _order_of

pytestmark = pytest.mark.slow
ANSWER_S = 60_000  # ms: Rasa and the action server on a busy machine
BOT = ".dsk-msg.dsk-from-bot .dsk-text"
# The widget's words in Chinese (handoff/web/static/widget/i18n.js).
PLACEHOLDER_ZH = "请输入您的问题…"
GREETING_ZH = "您好！"
ONLINE_ZH = "在线"


def sent_messages(page: Page) -> list[dict[str, Any]]:
    """The message frames the widget sends over its websocket, as they go out."""
    frames: list[dict[str, Any]] = []

    def on_socket(socket: Any) -> None:
        def on_frame(payload: str | bytes) -> None:
            frame = json.loads(payload)
            if frame.get("type") == "message":
                frames.append(frame)

        socket.on("framesent", on_frame)

    page.on("websocket", on_socket)
    return frames


async def screenshot(page: Page, name: str) -> Path:
    """The viewport (the shop with the open widget) with animations finished and the caret hidden."""
    PAGE_SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (one mkdir before the picture)
    path = PAGE_SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path


async def ask(page: Page, text: str) -> None:
    """Types and sends, then waits until the bot has said something more."""
    bot = page.locator(BOT)
    before = await bot.count()
    await page.fill("#dsk-input", text)
    await page.press("#dsk-input", "Enter")
    await expect(bot).not_to_have_count(before, timeout=ANSWER_S)
    await expect(page.locator("#dsk-typing")).to_be_hidden(timeout=ANSWER_S)


async def expect_chinese_widget(page: Page) -> None:
    await expect(page.locator("#dsk-root")).to_have_attribute("lang", "zh-CN")
    await expect(page.locator("#dsk-input")).to_have_attribute("placeholder", PLACEHOLDER_ZH)
    await expect(page.locator("#dsk-input")).to_have_attribute("aria-label", "消息")
    await expect(page.locator("#dsk-status")).to_have_text(ONLINE_ZH)
    await expect(page.locator("#dsk-launcher")).to_have_attribute("aria-label", "打开客服聊天")
    await expect(page.get_by_role("button", name="中文")).to_have_attribute("aria-pressed", "true")


async def test_a_customer_switches_the_widget_to_chinese(page, product, product_sessions) -> None:  # type: ignore[no-untyped-def]
    errors = collect_script_errors(page)
    frames = sent_messages(page)
    await page.goto(product.base_url + "/")
    await page.click("#dsk-launcher")
    await expect(page.locator("#dsk-status")).to_have_text("online")
    await expect(page.locator("#dsk-input")).to_have_attribute("placeholder", "Type your message…")
    switcher = page.get_by_role("group", name="Language")
    await expect(switcher.get_by_role("button", name="EN", exact=True)).to_have_attribute("aria-pressed", "true")
    await screenshot(page, "widget-language-switcher")

    # By keyboard: from English, Tab to 中文 and press Enter.
    await switcher.get_by_role("button", name="EN", exact=True).focus()
    await page.keyboard.press("Tab")
    await expect(switcher.get_by_role("button", name="中文")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect_chinese_widget(page)
    await expect(page.locator(".dsk-empty-title")).to_have_text(GREETING_ZH)
    await expect(page.get_by_role("group", name="语言")).to_be_visible()
    await expect(page.locator("#dsk-title")).to_have_text("Harbor & Pine support")  # the shop's own title stays

    await ask(page, "退货以后多久能拿到退款？")
    await expect(page.locator(BOT).first).to_contain_text("5-10 个工作日")
    await expect(page.locator(".dsk-quick-reply")).to_have_count(2)
    assert frames[-1]["language"] == "zh", frames
    await screenshot(page, "widget-chinese-answer")
    assert await wcag_violations(page, axe_source()) == []

    # The choice wins over what the message looks like: an English question, then an email alone.
    maria = await _customer(product_sessions, MARIA)
    order = await _order_of(product_sessions, maria, "in_transit")
    await ask(page, f"where is my order {order.number}?")
    await expect(page.locator(BOT).last).to_contain_text(f"请告诉我订单 {order.number} 下单时使用的邮箱或手机号")
    await ask(page, MARIA)
    await expect(page.locator(BOT).last).to_contain_text(f"订单 {order.number}：运输途中。")
    assert [f.get("language") for f in frames] == ["zh", "zh", "zh"], "every message after the choice says it"

    # Remembered: the next visit starts in Chinese.
    await page.reload()
    await page.click("#dsk-launcher")
    await expect_chinese_widget(page)

    # And back: all of it in English again at once.
    await page.get_by_role("button", name="EN", exact=True).click()
    await expect(page.locator("#dsk-root")).to_have_attribute("lang", "en")
    await expect(page.locator("#dsk-input")).to_have_attribute("placeholder", "Type your message…")
    await expect(page.locator("#dsk-status")).to_have_text("online")
    await expect(page.get_by_role("group", name="Language")).to_be_visible()
    assert errors == []


async def test_without_a_choice_the_widget_follows_the_language_the_bot_answers_in(page, product) -> None:  # type: ignore[no-untyped-def]
    frames = sent_messages(page)
    await page.goto(product.base_url + "/")
    await page.click("#dsk-launcher")
    await expect(page.locator("#dsk-status")).to_have_text("online")
    await ask(page, "退货以后多久能拿到退款？")
    await expect(page.locator(BOT).first).to_contain_text("5-10 个工作日")
    await expect_chinese_widget(page)
    assert "language" not in frames[-1], "not chosen: the gateway goes by what the customer writes"
    assert await page.evaluate("localStorage.getItem('deskbot.language')") is None, "following is not choosing"


async def test_the_choice_goes_with_messages_over_the_rest_fallback_too(page, product, product_sessions) -> None:  # type: ignore[no-untyped-def]
    # A browser where no WebSocket opens: the widget posts its messages, and they say the language too.
    await page.add_init_script("window.WebSocket = function () { throw new Error('no websockets here'); };")
    posted: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda request: posted.append(request.post_data_json) if request.url.endswith("/api/chat/messages") else None,
    )
    await page.goto(product.base_url + "/")
    await page.click("#dsk-launcher")
    await page.get_by_role("button", name="中文").click()
    await expect(page.locator("#dsk-status")).to_have_text(ONLINE_ZH, timeout=30_000)
    order = await _order_of(product_sessions, await _customer(product_sessions, MARIA), "in_transit")
    await ask(page, f"where is my order {order.number}?")
    await expect(page.locator(BOT).last).to_contain_text(f"请告诉我订单 {order.number} 下单时使用的邮箱或手机号")
    assert [body.get("language") for body in posted] == ["zh"], posted


async def open_rewritten_shop(browser: Browser, base_url: str, rewrite: dict[str, str], locale: str) -> Page:
    """The demo shop as the gateway serves it, with its HTML changed (a shop's own page), in a fresh browser."""
    context = await browser.new_context(viewport={"width": 1280, "height": 860}, locale=locale)
    page = await context.new_page()

    async def change(route: Route) -> None:
        response = await route.fetch()
        html = await response.text()
        for old, new in rewrite.items():
            assert old in html, old
            html = html.replace(old, new)
        await route.fulfill(response=response, body=html)

    await page.route(base_url + "/", change)
    await page.goto(base_url + "/")
    await page.click("#dsk-launcher")
    return page


async def test_a_chinese_page_starts_the_widget_in_chinese(page, product) -> None:  # type: ignore[no-untyped-def]
    browser = page.context.browser
    assert browser is not None
    html_lang = {'<html lang="en">': '<html lang="zh-CN">'}
    data_language = {
        '<script src="/static/widget.js" defer>': '<script src="/static/widget.js" data-language="zh" defer>'
    }
    no_lang = {'<html lang="en">': "<html>"}
    for rewrite, locale in ((html_lang, "en-US"), (data_language, "en-US"), (no_lang, "zh-TW")):
        shop = await open_rewritten_shop(browser, product.base_url, rewrite, locale)
        await expect_chinese_widget(shop)
        await expect(shop.locator(".dsk-empty-title")).to_have_text(GREETING_ZH)
        await shop.context.close()

    # The page's own language comes before the browser's.
    english = await open_rewritten_shop(browser, product.base_url, {}, "zh-CN")
    await expect(english.locator("#dsk-root")).to_have_attribute("lang", "en")
    await expect(english.locator("#dsk-input")).to_have_attribute("placeholder", "Type your message…")
    await english.context.close()
