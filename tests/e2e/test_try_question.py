"""'Try a question' runs the customer's path: its verdict equals the chat's, on every held-out question."""

from __future__ import annotations

import asyncio
import re

import aiohttp

from bench.faq import HELDOUT_FILE, load_heldout
from crm_store.db import unit_of_work
from crm_store.repositories import ArticleRepository
from handoff.channels.web.client import ChatClient
from handoff.learning.reading import read_replies
from knowledge_base.article_files import load_articles_dir
from tests.staff_client import Agent

ARTICLES_DIR = HELDOUT_FILE.parents[2] / "knowledge_base" / "articles"
CONCURRENT = 2  # questions in flight at once: both cores busy, far from any timeout even on a loaded machine


async def signed_in_trainer(http: aiohttp.ClientSession, base_url: str, username: str) -> Agent:
    trainer = Agent(http, base_url)
    assert (await trainer.login(username)).status == 302
    async with http.get(f"{base_url}/trainer/") as page:
        trainer.csrf = re.search(r'name="csrf-token" content="([^"]+)"', await page.text()).group(1)  # type: ignore[union-attr]
    return trainer


async def test_try_a_question_agrees_with_the_chat_on_every_held_out_question(product, staff, product_sessions) -> None:
    questions = load_heldout(HELDOUT_FILE, {article.slug for article in load_articles_dir(ARTICLES_DIR)})
    # The answers as they are now: other tests edit articles in the shared product (the trainer's editor test).
    async with unit_of_work(product_sessions) as session:
        live = await ArticleRepository(session).all(statuses=["published"])
    slug_by_answer = {article.answer.strip(): article.slug for article in live}
    gate = asyncio.Semaphore(CONCURRENT)
    disagreements: list[str] = []
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as trainer_http,
        aiohttp.ClientSession() as customer_http,
    ):
        await signed_in_trainer(trainer_http, product.base_url, staff["trainer"])

        async def both_ways(text: str) -> tuple[tuple, tuple]:
            async with trainer_http.get(f"{product.base_url}/trainer/api/try", params={"q": text}) as response:
                assert response.status == 200, await response.text()
                tried = await response.json()
            client = ChatClient(customer_http, product.base_url)
            try:
                await client.connect()
                chat = read_replies(await client.say(text, timeout=60), slug_by_answer)
            finally:
                await client.close()
            return (tried["verdict"], tried["answered"], sorted(tried["suggested"])), (
                chat.verdict,
                chat.answered,
                sorted(chat.suggested),
            )

        async def compare(text: str) -> None:
            async with gate:
                said, seen = await both_ways(text)
                if said != seen:
                    # A disagreement must hold when asked again: a reply lost to a busy machine is not one.
                    said, seen = await both_ways(text)
            if said != seen:
                disagreements.append(f"{text!r}: try says {said}, the chat did {seen}")

        await asyncio.gather(*(compare(question.text) for question in questions))
    assert len(questions) >= 380
    assert not disagreements, "\n".join(disagreements[:20])


async def test_try_shows_each_step_and_says_when_the_knowledge_base_is_not_asked(product, staff) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await signed_in_trainer(http, product.base_url, staff["trainer"])
        async with http.get(f"{product.base_url}/trainer/api/try", params={"q": "where is my order"}) as response:
            routed = await response.json()
        async with http.get(f"{product.base_url}/trainer/api/try", params={"q": "do you gift wrap"}) as response:
            answered = await response.json()
    assert routed["intent"] == "order_status" and routed["routed_away"] is True and routed["verdict"] == "none"
    assert [step["step"] for step in routed["steps"]][0] == "nlu"
    assert any(step["step"] == "policy" and step["decision"] == "order_status_form" for step in routed["steps"])
    kb_step = next(step for step in routed["steps"] if step["step"] == "knowledge_base")
    assert kb_step["consulted"] is False
    assert answered["verdict"] == "answer" and answered["answered"] == "gift-wrapping"
    assert any(step["decision"] == "action_answer_question" for step in answered["steps"])
    assert answered["steps"][0]["decision"] == "ask_faq" and 0 < answered["steps"][0]["score"] <= 1
