"""How soon a lesson counts: from a trainer's edit in the console to the bot's answer in the chat.

    python -m bench.learn_latency [--rounds 8] [--no-append]

Starts the product as `bench faq` does (gateway, Rasa, action server, a fresh SQLite
database with the demo data and the knowledge base). A trainer signs in to the console
and, for each round, takes an article and a question the bot does not yet answer with
it; adds the question to the article as a variant through the console's API (as the
article editor does); then asks it in the web chat, over and over, until the bot answers
with that article. The time from the editor's response to the first right answer is the
learning latency (target: under 1 second, issue 12). A second measure does the same for
an edit of the answer text: until the chat shows the new text.

The questions are made-up phrasings that name the article's topic in words the
knowledge base does not use (so the bot does not answer them before the lesson);
one it answers already is skipped and reported.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.common import ROOT, append_results, command_line, console_sign_in, percentiles_ms, progress
from crm_store.db import create_engine, session_factory
from handoff.channels.web.client import ChatClient
from handoff.ops.launch import RunningProduct, start_product
from handoff.ops.training import ensure_model
from handoff.staff.accounts import add_user

# (article, a question in words its texts do not use). Written for this benchmark only.
LESSONS = [
    ("gift-wrapping", "can the parcel come dressed up in ribbons for a birthday"),
    ("physical-store", "is there somewhere in town where I can wander in and look around"),
    ("student-discount", "I'm at uni, anything cheaper for people like me"),
    ("cast-iron-care", "my black skillet went orange and flaky, how do I save it"),
    ("po-box-shipping", "can my stuff go to a mailbox at the post office rather than my house"),
    ("two-step-verification", "how do I make it ask for a code from my phone when I sign in"),
    ("price-adjustment", "it got cheaper two days after I paid, can I get the difference back"),
    ("newsletter-discount", "what do I get for signing up to your emails"),
    ("accessibility", "my screen reader struggles with your site, who can I tell"),
    ("referral-programme", "if my sister buys something because of me do I get anything"),
]
TIMEOUT = 10.0  # seconds a lesson may take before the round counts as failed
REPLY_TIMEOUT = 30.0  # seconds to wait for one reply (the first message also warms Rasa's model up)


class Trainer:
    """A trainer's console session: sign in, then read and write articles through the API."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http, self.base_url, self.csrf = http, base_url, ""

    async def sign_in(self, username: str, password: str) -> None:
        self.csrf = await console_sign_in(self.http, self.base_url, username, password, "/trainer/")

    async def article(self, slug: str) -> dict:
        async with self.http.get(f"{self.base_url}/trainer/api/articles/{slug}") as response:
            response.raise_for_status()
            return (await response.json())["article"]

    async def save(self, slug: str, article: dict) -> None:
        async with self.http.put(
            f"{self.base_url}/trainer/api/articles/{slug}", json=article, headers={"X-CSRF-Token": self.csrf}
        ) as response:
            if response.status != 200:
                raise RuntimeError(f"saving {slug}: HTTP {response.status} {await response.text()}")


async def replies_contain(http: aiohttp.ClientSession, base_url: str, question: str, text: str) -> bool:
    client = ChatClient(http, base_url)
    try:
        await client.connect()
        return any(text in (reply.get("text") or "") for reply in await client.say(question, timeout=REPLY_TIMEOUT))
    finally:
        await client.close()


async def until_answered(http: aiohttp.ClientSession, base_url: str, question: str, text: str) -> float | None:
    """Seconds until the chat answers ``question`` with ``text``; None if it never does within TIMEOUT."""
    started = time.perf_counter()
    while time.perf_counter() - started < TIMEOUT:
        if await replies_contain(http, base_url, question, text):
            return time.perf_counter() - started
    return None


async def run(product: RunningProduct, password: str, rounds: int) -> dict[str, list]:
    results: dict[str, list] = {"variant": [], "answer_edit": [], "skipped": [], "failed": []}
    # The customer's chat has its own session: no staff cookie goes with its messages.
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as staff_http,
        aiohttp.ClientSession() as http,
    ):
        trainer = Trainer(staff_http, product.base_url)
        await trainer.sign_in("bench-trainer", password)
        for slug, question in LESSONS[:rounds]:
            article = await trainer.article(slug)
            if await replies_contain(http, product.base_url, question, article["answer"].strip()):
                results["skipped"].append(slug)
                continue
            article["questions"] = [*article["questions"], question]
            await trainer.save(slug, article)
            seconds = await until_answered(http, product.base_url, question, article["answer"].strip())
            results["variant" if seconds is not None else "failed"].append(seconds if seconds is not None else slug)
            progress(f"{slug}: taught variant answered after {seconds if seconds is None else round(seconds, 3)} s")
            marker = f"(Updated {secrets.token_hex(3)}.)"
            article["answer"] = f"{article['answer'].strip()}\n{marker}"
            await trainer.save(slug, article)
            seconds = await until_answered(http, product.base_url, question, marker)
            results["answer_edit" if seconds is not None else "failed"].append(seconds if seconds is not None else slug)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench learn", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=len(LESSONS))
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args(argv)
    model = ensure_model(ROOT / "var" / "models", progress=progress)
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="bench-learn-") as var_dir:
        stack, product = start_product(Path(var_dir), model, progress=progress)
        try:

            async def add_trainer() -> None:
                engine = create_engine(product.settings.store.database_url)
                await add_user(session_factory(engine), "bench-trainer", "trainer", "Bench Trainer", password)
                await engine.dispose()

            asyncio.run(add_trainer())
            results = asyncio.run(run(product, password, args.rounds))
        finally:
            stack.stop()
    lines = ["| lesson | rounds | p50 ms | p95 ms | max ms | target |", "|---|---:|---:|---:|---:|---|"]
    for key, label in (("variant", "taught question variant answered"), ("answer_edit", "edited answer shown")):
        timed = results[key]
        if timed:
            figures = percentiles_ms(timed)
            lines.append(
                f"| {label} | {len(timed)} | {figures['p50']:.0f} | {figures['p95']:.0f} | "
                f"{max(timed) * 1000:.0f} | < 1,000 ms |"
            )
    lines.append(
        f"\nSkipped (answered before the lesson): {', '.join(results['skipped']) or 'none'}. "
        f"Failed (not answered within {TIMEOUT:.0f} s): {', '.join(map(str, results['failed'])) or 'none'}.\n"
        "Each time includes one chat round trip (the question asked after the save), so it is an upper bound."
    )
    body = "\n".join(lines) + "\n"
    print(body)
    if not args.no_append:
        append_results(
            "Learning latency: console edit to chat answer (bench learn)",
            command_line("bench.learn_latency", argv),
            body,
        )
    return 0 if not results["failed"] else 1


if __name__ == "__main__":
    sys.exit(main())
