"""Knowledge-base answers through the real chat path, on held-out customer questions.

    python -m bench.faq [--questions bench/data/faq_heldout.yml] [--limit N] [--timeout 30] [--no-append]

Starts the product as `deskbot run` does (gateway, Rasa with the model of
var/models, trained first if its inputs changed, the action server; a fresh
SQLite database with the demo data and the knowledge base) and asks every
question in a conversation of its own over the widget's websocket, as a
customer would. Each reply is read as the customer sees it:

- answered outright: a bot message whose text is an article's answer;
- suggested: the article is among the reply's "is it one of these?" buttons;
- confidently wrong: answered outright with another article;
- no answer: neither (the bot declined, asked to rephrase or offered a person).

Out-of-scope questions count as declined when no article is answered
outright. Questions meant for an intent (order status, a contact change, a
person) count as routed when Rasa's tracker shows that intent for the message.
Latency is from sending the question to the bot's "typing off".

The held-out file was written before any tuning for issue 12 and must never be
tuned on; tune with cross-validation on the article variants and
tests/knowledge_base/search_eval.yml, and report this set separately.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bench.common import ROOT, append_results, command_line, percentiles_ms, progress
from bot.intents import KNOWLEDGE_BASE_INTENTS
from handoff.channels.web.client import ChatClient
from handoff.learning.reading import Reading, read_replies
from handoff.ops.launch import RunningProduct, start_product
from handoff.ops.training import ensure_model
from knowledge_base.article_files import load_articles_dir

HELDOUT_FILE = ROOT / "bench" / "data" / "faq_heldout.yml"
STYLES = ("plain", "typo", "fragment", "indirect", "long", "multi", "near_miss", "colloquial", "traditional")
# Targets of issue 12, on the project's held-out set through the real chat path.
TARGETS = {"right_outright": 0.92, "right_outright_or_suggested": 0.97, "confidently_wrong": 0.02, "declined": 0.95}


class HeldOutError(ValueError):
    """A malformed held-out file; the message names the entry and the field."""


@dataclass(frozen=True)
class Question:
    text: str
    article: str | None = None  # the article that answers it
    also: str | None = None  # a second article a two-question message may be answered with
    intent: str | None = None  # a non-FAQ intent that should handle it
    out_of_scope: bool = False
    style: str = "plain"

    @property
    def kind(self) -> str:
        return "article" if self.article else "intent" if self.intent else "out_of_scope"


@dataclass
class Outcome:
    question: Question
    reading: Reading
    seconds: float
    intent: str | None = None
    error: str | None = None


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _share(self, kind: str, predicate: Any) -> tuple[float, int]:
        chosen = [o for o in self.outcomes if o.question.kind == kind and o.error is None]
        return (sum(1 for o in chosen if predicate(o)) / len(chosen) if chosen else 0.0), len(chosen)

    def figures(self) -> dict[str, tuple[float, int]]:
        return {
            "right_outright": self._share("article", lambda o: right(o.question, o.reading.answered)),
            "right_outright_or_suggested": self._share(
                "article", lambda o: right(o.question, o.reading.answered) or o.question.article in o.reading.suggested
            ),
            "right_suggested_only": self._share(
                "article",
                lambda o: not right(o.question, o.reading.answered) and o.question.article in o.reading.suggested,
            ),
            "confidently_wrong": self._share(
                "article", lambda o: o.reading.answered is not None and not right(o.question, o.reading.answered)
            ),
            "no_answer": self._share("article", lambda o: o.reading.answered is None),
            "declined": self._share("out_of_scope", lambda o: o.reading.answered is None),
            "declined_without_suggestions": self._share(
                "out_of_scope", lambda o: o.reading.answered is None and not o.reading.suggested
            ),
            "intent_routed": self._share("intent", lambda o: o.intent == o.question.intent),
            "article_routed_away": self._share("article", lambda o: o.intent not in KNOWLEDGE_BASE_INTENTS),
        }


def right(question: Question, answered: str | None) -> bool:
    return answered is not None and answered in (question.article, question.also)


def load_heldout(path: Path, articles: set[str]) -> list[Question]:
    """The held-out questions, each checked; a bad entry is named by its number and field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise HeldOutError(f"cannot read {path}: {error}") from None
    entries = raw.get("questions") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise HeldOutError(f"{path}: questions must be a non-empty list")
    questions = [_question(path, number, entry, articles) for number, entry in enumerate(entries, start=1)]
    seen: Counter[str] = Counter(q.text.strip().lower() for q in questions)
    repeated = [text for text, count in seen.items() if count > 1]
    if repeated:
        raise HeldOutError(f"{path}: the same question appears more than once: {repeated[0]!r}")
    return questions


def _question(path: Path, number: int, entry: Any, articles: set[str]) -> Question:
    where = f"{path.name}: questions[{number}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("text"), str) or not entry["text"].strip():
        raise HeldOutError(f"{where}.text must be a non-empty text")
    labels = [key for key in ("article", "intent", "out_of_scope") if entry.get(key)]
    if len(labels) != 1:
        raise HeldOutError(f"{where}: exactly one of article, intent, out_of_scope: true (got {labels or 'none'})")
    for key in ("article", "also"):
        if entry.get(key) is not None and entry[key] not in articles:
            raise HeldOutError(f"{where}.{key}: no article {entry[key]!r} in the knowledge base")
    style = entry.get("style", "plain")
    if style not in STYLES:
        raise HeldOutError(f"{where}.style must be one of {', '.join(STYLES)}, got {style!r}")
    return Question(
        text=entry["text"].strip(),
        article=entry.get("article"),
        also=entry.get("also"),
        intent=entry.get("intent"),
        out_of_scope=bool(entry.get("out_of_scope")),
        style=style,
    )


async def intent_of_last_message(http: aiohttp.ClientSession, product: RunningProduct, sender: str) -> str | None:
    settings = product.settings
    async with http.get(
        f"{settings.rasa_url}/conversations/{sender}/tracker", params={"token": settings.rasa_token}
    ) as response:
        tracker = await response.json() if response.status == 200 else {}
    users = [event for event in tracker.get("events") or [] if event.get("event") == "user"]
    return ((users[-1].get("parse_data") or {}).get("intent") or {}).get("name") if users else None


async def ask(
    http: aiohttp.ClientSession, product: RunningProduct, question: Question, slugs: dict[str, str], timeout: float
) -> Outcome:
    client = ChatClient(http, product.base_url)
    try:
        await client.connect()
        started = time.perf_counter()
        replies = await client.say(question.text, timeout=timeout)
        seconds = time.perf_counter() - started
        errors = [r.get("message") or r.get("code") for r in replies if r.get("type") == "error"]
        intent = await intent_of_last_message(http, product, str(client.session_id))
        return Outcome(question, read_replies(replies, slugs), seconds, intent, str(errors[0]) if errors else None)
    except (asyncio.TimeoutError, aiohttp.ClientError, ConnectionError) as error:
        return Outcome(question, Reading(None, ()), timeout, error=f"{type(error).__name__}: {error}")
    finally:
        await client.close()


async def run(product: RunningProduct, questions: list[Question], slugs: dict[str, str], timeout: float) -> Report:
    report = Report()
    async with aiohttp.ClientSession() as http:
        for number, question in enumerate(questions, start=1):
            report.outcomes.append(await ask(http, product, question, slugs, timeout))
            if number % 25 == 0 or number == len(questions):
                progress(f"asked {number}/{len(questions)}")
    return report


def markdown(report: Report, questions_file: Path) -> str:
    figures = report.figures()
    rows = [
        ("answered outright with the right article", "right_outright", "≥ 92%"),
        ("right article outright or among the suggestions", "right_outright_or_suggested", "≥ 97%"),
        ("right article only among the suggestions", "right_suggested_only", ""),
        ("confidently wrong (outright, wrong article)", "confidently_wrong", "≤ 2%"),
        ("no answer (declined, rephrase, person)", "no_answer", ""),
        ("out of scope declined (no article outright)", "declined", "≥ 95%"),
        ("out of scope declined without suggestions", "declined_without_suggestions", ""),
        ("intent questions routed to their intent", "intent_routed", ""),
        ("article questions the intent model sent elsewhere (not to the knowledge base)", "article_routed_away", ""),
    ]
    lines = [f"Held-out set: `{questions_file.relative_to(ROOT)}`, through gateway → Rasa → actions.\n"]
    lines += ["| figure | value | questions | target |", "|---|---|---|---|"]
    lines += [f"| {label} | {figures[key][0]:.1%} | {figures[key][1]} | {target} |" for label, key, target in rows]
    timed = [o.seconds for o in report.outcomes if o.error is None]
    if timed:
        latency = percentiles_ms(timed)
        lines.append(
            f"\nReply latency: p50 {latency['p50']:.0f} ms, p95 {latency['p95']:.0f} ms ({len(timed)} replies)."
        )
    errors = [o for o in report.outcomes if o.error]
    lines.append(f"Errors (not counted above): {len(errors)}" + (f", first: {errors[0].error}" if errors else ""))
    return "\n".join(lines) + "\n"


def misses(report: Report) -> list[dict[str, Any]]:
    """Every question the bot got wrong, for reading (never for tuning)."""
    wrong = []
    for o in report.outcomes:
        q = o.question
        miss = (
            (q.kind == "article" and not right(q, o.reading.answered))
            or (q.kind == "out_of_scope" and o.reading.answered is not None)
            or (q.kind == "intent" and o.intent != q.intent)
        )
        if miss or o.error:
            wrong.append(
                {"text": q.text, "expected": q.article or q.intent or "decline", "answered": o.reading.answered}
                | {"suggested": list(o.reading.suggested), "intent": o.intent, "error": o.error}
            )
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench faq", description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=HELDOUT_FILE, help="held-out questions (YAML)")
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions (0: all)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each reply")
    parser.add_argument("--misses", type=Path, help="write the questions the bot got wrong to this JSON file")
    parser.add_argument(
        "--no-append", action="store_true", help="print the figures without adding them to BENCHMARKS.md"
    )
    args = parser.parse_args(argv)
    articles = load_articles_dir(ROOT / "knowledge_base" / "articles")
    try:
        questions = load_heldout(args.questions, {a.slug for a in articles})
    except HeldOutError as error:
        print(f"bench faq: {error}", file=sys.stderr)
        return 2
    questions = questions[: args.limit] if args.limit > 0 else questions
    slug_by_answer = {article.answer.strip(): article.slug for article in articles}
    # An article answered in Chinese counts as that article too.
    slug_by_answer |= {text.answer.strip(): a.slug for a in articles for text in a.translations.values()}
    model = ensure_model(ROOT / "var" / "models", progress=progress)
    with tempfile.TemporaryDirectory(prefix="bench-faq-") as var_dir:
        stack, product = start_product(Path(var_dir), model, progress=progress)
        try:
            report = asyncio.run(run(product, questions, slug_by_answer, args.timeout))
        finally:
            stack.stop()
    body = markdown(report, args.questions.resolve())
    print(body)
    if args.misses:
        args.misses.write_text(json.dumps(misses(report), indent=2, ensure_ascii=False), encoding="utf-8")
    if not args.no_append:
        append_results("FAQ answers on held-out questions (bench faq)", command_line("bench.faq", argv), body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
