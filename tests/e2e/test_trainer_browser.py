"""The trainer console in a real browser: review a candidate, try a question, edit an article, see the models."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.browser_checks import SCREENSHOTS
from tests.staff_client import PASSWORD, Agent

# A broken test ends, not a timing: an approval re-embeds the article and asks Rasa about routing, which
# took over 15 s once on a loaded CI machine.
SERVER_WORK_MS = 60_000

pytestmark = pytest.mark.slow


LESSON = "do you price match amazon if it's cheaper there, asking for Tom Becker"


async def _an_agent_teaches(customer, product, staff) -> None:  # type: ignore[no-untyped-def]
    import aiohttp

    await customer.connect()
    await customer.say("can a human help me with a price question")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        agent = Agent(http, product.base_url)
        await agent.login(staff["agent"])
        _, queue = await agent.get("/queue")
        ticket = next(t for t in queue["tickets"] if t["preview"] == "can a human help me with a price question")
        await agent.post(f"/tickets/{ticket['id']}/claim")
        status, _ = await agent.post(
            f"/tickets/{ticket['id']}/resolve",
            {
                "resolution": "Explained price match",
                "learn": {"kind": "question_variant", "question": LESSON, "target": "price-match"},
            },
        )
        assert status == 200


async def test_a_trainer_reviews_and_edits(page, product, staff, customer) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await _an_agent_teaches(customer, product, staff)
    dialogs: list[str] = []

    async def accept(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog.message)
        await dialog.accept()

    page.on("dialog", accept)
    await page.goto(product.base_url + "/console/login")
    await page.fill("#username", staff["trainer"])
    await page.fill("#password", PASSWORD)
    await page.click("#login-submit")
    await expect(page).to_have_url(product.base_url + "/trainer/")

    await page.click("#nav-candidates")
    scrubbed = "do you price match amazon if it's cheaper there, asking for [NAME]"
    candidate = page.locator(".candidate", has_text=scrubbed)
    await expect(candidate).to_have_count(1, timeout=SERVER_WORK_MS)
    await expect(candidate.locator("mark.placeholder")).to_have_text("[NAME]")
    await page.screenshot(path=str(SCREENSHOTS / "trainer-candidates.png"), full_page=True)
    await candidate.locator(".drop-approve-btn").click()  # approving [NAME] as proposed is refused
    await expect(candidate).to_have_count(0, timeout=SERVER_WORK_MS)

    await page.click("#nav-try")
    await page.fill("#try-input", "will you match amazon's price if it is cheaper")
    await page.click("#try-btn")
    await expect(page.locator("#try-results .try-hit").first).to_be_visible(timeout=SERVER_WORK_MS)
    await page.screenshot(path=str(SCREENSHOTS / "trainer-try.png"), full_page=True)

    await page.click("#nav-articles")
    row = page.locator("tr.article-row[data-slug='gift-wrapping']")
    await expect(row).to_have_count(1, timeout=SERVER_WORK_MS)
    await row.click()
    await expect(page.locator("#article-title")).to_have_value("Do you offer gift wrapping?", timeout=SERVER_WORK_MS)
    answer = await page.input_value("#article-answer")
    await page.fill("#article-answer", answer + "\\nGift notes are free.")
    await page.click("#article-save")
    await expect(page.locator("#article-history .version")).to_have_count(2, timeout=SERVER_WORK_MS)
    await page.screenshot(path=str(SCREENSHOTS / "trainer-article.png"), full_page=True)

    await page.click("#nav-models")
    await expect(page.locator("#models-current")).to_be_visible()
    await page.screenshot(path=str(SCREENSHOTS / "trainer-models.png"), full_page=True)
    assert not [message for message in dialogs if "alert" in message]


async def _taught(customer, product, agent: Agent, question: str, lesson: str) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.client import ChatClient

    chat = ChatClient(customer.http, product.base_url)
    await chat.connect()
    await chat.say(question)
    await chat.say("I want to talk to a person")
    await chat.close()
    _, queue = await agent.get("/queue")
    ticket = next(t for t in queue["tickets"] if t["preview"] == question and t["status"] == "queued")
    await agent.post(f"/tickets/{ticket['id']}/claim")
    await agent.post(f"/tickets/{ticket['id']}/messages", {"text": "You can return a sale item within 30 days."})
    status, _ = await agent.post(
        f"/tickets/{ticket['id']}/resolve",
        {
            "resolution": "Answered",
            "learn": {"kind": "question_variant", "question": lesson, "target": "final-sale-items"},
        },
    )
    assert status == 200


async def test_the_review_highlights_placeholders_and_approves_a_group(page, product, staff, customer) -> None:  # type: ignore[no-untyped-def]
    import aiohttp

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        agent = Agent(http, product.base_url)
        await agent.login(staff["agent"])
        await _taught(customer, product, agent, "can i return a clearance item", "can i return a clearance item")
        await _taught(
            customer,
            product,
            agent,
            "can clearance items be returned",
            "can clearance items be returned? my email is kim@example.com",
        )

    await page.goto(product.base_url + "/console/login")
    await page.fill("#username", staff["trainer"])
    await page.fill("#password", PASSWORD)
    await page.click("#login-submit")
    await expect(page).to_have_url(product.base_url + "/trainer/")
    await page.click("#nav-candidates")

    clean = page.locator(".candidate", has_text="can i return a clearance item")
    scrubbed = page.locator(".candidate", has_text="can clearance items be returned? my email is")
    await expect(scrubbed.locator(".cand-question-text mark.placeholder")).to_have_text(
        "[EMAIL]", timeout=SERVER_WORK_MS
    )
    await expect(scrubbed.locator(".cand-asked-text")).to_have_text("can clearance items be returned")
    await expect(scrubbed.locator(".cand-bot-text").first).not_to_be_empty()
    await expect(scrubbed.locator(".cand-dropped-text")).to_have_text("can clearance items be returned?")
    await page.screenshot(path=str(SCREENSHOTS / "trainer-review-placeholders.png"), full_page=True)

    group = page.locator(".candidate-group", has=scrubbed)
    await expect(group.locator(".candidate", has_text="can i return a clearance item")).to_have_count(1)
    await group.locator(".approve-group-btn").click()
    await expect(clean).to_have_count(0, timeout=SERVER_WORK_MS)
    await expect(scrubbed.locator(".cand-error")).to_contain_text("[EMAIL]")

    await scrubbed.locator(".drop-approve-btn").click()
    await expect(scrubbed).to_have_count(0, timeout=SERVER_WORK_MS)
    response = await page.request.get(product.base_url + "/trainer/api/articles/final-sale-items")
    article = await response.text()
    assert "can clearance items be returned?" in article and "can i return a clearance item" in article
    assert "[EMAIL]" not in article
