"""The agent console in a real browser: login, queue, claim, chat with a live customer, hand back."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.browser_checks import SCREENSHOTS
from tests.staff_client import PASSWORD, next_frame

pytestmark = pytest.mark.slow
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script> where is my refund"


async def test_an_agent_takes_over_in_the_console(page, product, staff, customer) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))

    await customer.connect()
    await customer.say(HOSTILE)
    await customer.say("I want to talk to a person")

    await page.goto(product.base_url + "/console/")
    await expect(page).to_have_url(product.base_url + "/console/login")
    await page.fill("#username", staff["agent"])
    await page.fill("#password", PASSWORD)
    await page.click("#login-submit")
    await expect(page).to_have_url(product.base_url + "/console/")

    row = page.locator("tr.queue-row", has_text="where is my refund")  # the question, not the call for a person
    await expect(row).to_have_count(1)
    await expect(row.locator(".lang-badge")).to_have_attribute("title", "Customer writes English")
    await page.screenshot(path=str(SCREENSHOTS / "console-queue.png"), full_page=True)
    await row.locator(".claim-btn").click()
    await expect(page.locator("#ticket-status")).to_contain_text("ssigned", timeout=15_000)

    transcript = page.locator("#transcript")
    await expect(transcript.locator(".msg-customer .msg-text").first).to_have_text(HOSTILE)
    assert await page.locator("#transcript img, #transcript script").count() == 0
    await expect(page.locator("#customer-panel")).to_be_visible()
    await expect(page.locator("#context-panel")).to_contain_text("Asked for a person")

    await page.fill("#reply-input", "Hi! I'm Alex, let me check your refund.")
    await page.click("#reply-send")
    said = await next_frame(customer, lambda frame: frame["type"] == "message" and frame.get("sender") == "agent")
    assert said["text"] == "Hi! I'm Alex, let me check your refund."

    await expect(page.locator("#kb-suggestions .kb-insert").first).to_be_visible(timeout=15_000)
    await page.locator("#kb-suggestions .kb-insert").first.click()
    assert (await page.input_value("#reply-input")).strip(), "the suggestion's answer is in the reply box"
    await page.fill("#reply-input", "")

    await page.fill("#note-input", "Customer asked about a refund; checked the warehouse.")
    await page.click("#note-add")
    await page.screenshot(path=str(SCREENSHOTS / "console-ticket.png"), full_page=True)

    await page.fill("#resolution-input", "Explained the refund timeline.")
    await page.select_option("#learn-kind", "question_variant")
    await expect(page.locator("#learn-question")).to_have_value(HOSTILE)
    await page.fill("#learn-question", "where is my refund, it's been two weeks")
    await expect(page.locator("#learn-target")).not_to_have_value("", timeout=15_000)
    await page.screenshot(path=str(SCREENSHOTS / "console-teach.png"), full_page=True)
    await page.click("#resolve-handback")
    await next_frame(customer, lambda frame: frame.get("sender") == "bot" and "rate" in (frame.get("text") or ""))
    await expect(page.locator("#reply-input")).to_be_disabled()
    await page.screenshot(path=str(SCREENSHOTS / "console-handed-back.png"), full_page=True)
    assert dialogs == [], "no script from a customer message ever ran"


async def _sign_in(page, product, username: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(product.base_url + "/console/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#login-submit")
    await expect(page).to_have_url(product.base_url + "/console/")


async def test_the_teach_form_preselects_the_article_the_agents_reply_names(page, product, staff, customer) -> None:  # type: ignore[no-untyped-def]
    await customer.connect()
    # A question the knowledge base only suggests for (it knows no "jcb"), unlike the ones taught elsewhere.
    await customer.say("do you take jcb cards")
    await customer.say("can I talk to a person")
    await _sign_in(page, product, staff["agent"])

    row = page.locator("tr.queue-row", has_text="do you take jcb cards")
    await expect(row).to_have_count(1, timeout=15_000)
    await row.locator(".claim-btn").click()
    await expect(page.locator("#ticket-status")).to_contain_text("ssigned", timeout=15_000)
    await page.fill(
        "#reply-input", "We accept Visa, Mastercard, American Express, Apple Pay and PayPal; not JCB, sorry."
    )
    await page.click("#reply-send")
    await expect(page.locator("#transcript .msg-agent .msg-text").last).to_contain_text("Apple Pay")

    await page.select_option("#learn-kind", "question_variant")
    await expect(page.locator("#learn-question")).to_have_value("do you take jcb cards")
    await expect(page.locator("#learn-target")).to_have_value("accepted-payment-methods", timeout=15_000)
    await expect(page.locator("#learn-target-why")).to_contain_text("Suggested from your reply")
    await page.screenshot(path=str(SCREENSHOTS / "console-teach-suggestion.png"), full_page=True)


async def test_a_chinese_customers_ticket_says_so_and_offers_chinese_replies(page, product, staff, customer) -> None:  # type: ignore[no-untyped-def]
    await customer.connect()
    await customer.say("退货以后多久能拿到退款？")
    await customer.say("我想找人工客服")
    await _sign_in(page, product, staff["agent"])

    row = page.locator("tr.queue-row", has_text="退货以后多久能拿到退款？")
    await expect(row).to_have_count(1, timeout=15_000)
    badge = row.locator(".lang-badge")
    await expect(badge).to_have_text("中文Customer writes Chinese")  # the label, and the words a screen reader says
    await expect(badge).to_have_attribute("title", "Customer writes Chinese")
    await row.locator(".claim-btn").click()
    await expect(page.locator("#ticket-status")).to_contain_text("ssigned", timeout=15_000)

    await expect(page.locator("#ticket-meta .lang-badge")).to_have_attribute("data-language", "zh")
    greeting = page.locator("#canned .canned-insert[data-id='greeting']")
    await expect(greeting).to_have_text("问候")
    await expect(greeting).to_have_attribute("lang", "zh")
    await greeting.click()
    # An anonymous visitor: no first name, so the Chinese polite form of address takes its place.
    assert (await page.input_value("#reply-input")).startswith("尊敬的客户，您好！")
    await page.fill("#reply-input", "")

    # Suggestions for the latest message ("我想找人工客服": the contact article), in Chinese; then the agent's search.
    first = page.locator("#kb-suggestions .kb-hit").first
    await expect(first.locator(".kb-title")).to_have_attribute("lang", "zh", timeout=15_000)
    await page.fill("#kb-search", "退货以后多久能拿到退款？")
    await page.click("#kb-search-btn")
    await expect(first.locator(".kb-title")).to_have_text("退款需要多长时间？", timeout=15_000)
    await expect(first.locator(".kb-answer")).to_contain_text("5-10 个工作日")
    await page.screenshot(path=str(SCREENSHOTS / "console-ticket-chinese.png"), full_page=True)

    await page.fill("#resolution-input", "已说明退款时间。")
    await page.click("#resolve-handback")
    await expect(page.locator("#reply-input")).to_be_disabled(timeout=15_000)
