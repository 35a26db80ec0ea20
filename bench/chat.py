"""Chat latency: simulated customers over the web-chat websocket, with bare Rasa REST as the baseline.

    python -m bench.chat [--users 1,5,10,20,40,80] [--duration 60] [--think 1.0-3.0]
                         [--warmup 5] [--rounds 2] [--timeout 10] [--seed 7] [--no-append]
                         [--saturation 4,8,16] [--profile docs/perf/chat-DATE]

Starts the product as `deskbot run` does (the model of var/models, trained
first if bot/ or config.yml changed; a fresh SQLite database with the demo
customers, orders and knowledge base in a temporary var directory; the action
server, Rasa and the gateway on free ports) and stops it at the end.

Every simulated customer has one conversation after another: it opens the
widget's websocket, runs a scripted conversation of a few turns, closes it and
starts the next. The mix: knowledge-base questions (customer-style questions
of tests/knowledge_base/search_eval.yml), order-status enquiries of anonymous
customers (a real demo order number, then the order's email or phone as proof)
and small talk (greeting, "are you a bot?", thanks, goodbye, a rating).
Before the run, 40 sampled questions go once to bare Rasa (which also warms
it up); those it hands to a person are left out, since after a hand-off the
bot says nothing and there is no reply to time. One conversation of each kind
must then go as scripted on both sides (e.g. the order status is shown), or
the run stops with the reply that did not match.
Between two messages a customer waits a think time drawn uniformly from
--think seconds (LOW-HIGH, or one number; 0 for none): 1-3 s by default, a
brisk customer (real ones read and type for longer), so N simulated customers
are a heavier load than N real ones.

Latency is from sending a message to the bot's "typing off", which the gateway
sends after the last reply to it. A reply that does not come within --timeout
counts as an error (as do error frames and "the bot is unavailable" messages);
errors are reported, never dropped, and are not in the percentiles.
Messages/s is the replies received per second of measured time. The first
--warmup seconds of every phase are not measured.

The baseline is Rasa alone: the same conversations, texts and think times,
posted by the same number of customers straight to Rasa's REST webhook of the
same running processes (same model, same action server and databases), with
the metadata the gateway would send. For each concurrency the two alternate in
--rounds rounds (gateway, Rasa, then Rasa, gateway, ...) so both see the same
machine; each side gets --duration measured seconds in all. The report names
the first concurrency whose p95 is above 500 ms, with a linear interpolation
from the step below it.

CPU per message: the user + system CPU seconds of each process group (action
server, Rasa, gateway) over each measured window, divided by the replies in it,
and the load generator's own CPU apart (bench.process_cpu). With --profile, a
py-spy flame graph of each process is recorded over the highest concurrency's
first gateway window.

With --saturation, customers who never pause (the next message as soon as the
reply is in) then load each side in turn at each given concurrency: the
messages/s they get is what the product serves flat out, and the CPU per
message at that load is reported beside it. --think 5-15 gives customers who
read and type as real ones do.

Targets (issue 15, on 2 cores): at 20 customers, gateway p95 at most 150 ms and
at most 1.2 times bare Rasa's p95; at least 50 messages/s at saturation; report
where p95 crosses 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

import aiohttp

from actions.orders import IN_FLIGHT
from bench.cluster import process_groups, running_cluster
from bench.common import ROOT, append_results, command_line, percentiles_ms, progress
from bench.process_cpu import CpuMeter
from bot.signing import SIGNATURE_HEADER, sign, sign_identity
from crm_store.demo_data import DemoCustomer
from handoff.channels.web.client import ChatClient
from handoff.notices import BOT_UNAVAILABLE_TEXT, NO_REPLY_TEXT
from handoff.ops.launch import RunningCluster, RunningProduct, start_product
from handoff.ops.stack import Stack
from handoff.ops.training import ensure_model
from handoff.router import new_conversation_id
from knowledge_base.evaluation import load_questions

EVAL_FILE = ROOT / "tests" / "knowledge_base" / "search_eval.yml"
P95_LIMIT_MS = 500.0
TARGET_USERS = 20
TARGET_P95_MS = 150.0
TARGET_RATIO = 1.2
TARGET_RATE = 50.0  # messages/s at saturation, whole stack on 2 cores (issue 15)
KB_SAMPLE = 40  # knowledge-base questions checked (and kept if the bot answers them) before the run
PROGRESS_EVERY_S = 15.0

GREETINGS = ["hi", "hello there", "hey", "good morning!", "hi, quick question"]
THANKS = ["thanks", "thank you!", "great, thanks a lot", "cheers"]
GOODBYES = ["bye", "ok that's all, bye", "goodbye"]
BOT_CHALLENGES = ["are you a bot?", "am i chatting with a real person?", "is this an automated assistant"]
ORDER_ASKS = ["where is my order?", "track my order please", "where's my package", "i want to check my order status"]
ORDER_ASKS_WITH_NUMBER = ["has {n} shipped yet?", "where is my order {n}", "status of order {n} please"]
NUMBER_ANSWERS = ["{n}", "it's {n}", "the order number is {n}"]
ASKS_NUMBER = "order number"
ASKS_PROOF = "email address or phone number"
# A signal in Rasa's reply that makes the gateway hand the conversation to a person (bot_failed: twice in a row).
HANDOFF_SIGNALS = {"asked_for_agent", "complaint", "late_order"}


# Conversations -----------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    text: str  # what the customer types, or the title of the button they press
    payload: str | None = None  # the button's payload: what reaches Rasa instead of the text
    expect: str | None = None  # a fragment the bot's reply should contain (else it counts as off script)

    @property
    def rasa_message(self) -> str:
        return self.payload or self.text


HELPFUL = Turn("👍 Yes, thanks", "/helpful")
RATE = Turn("★★★★★ 5", '/rate{"rating":"5"}')


@dataclass(frozen=True)
class Conversation:
    kind: str
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class OrderProof:
    number: str
    proof: str  # the order's email or phone


class Scripts:
    """Mixed conversations drawn from a random generator: knowledge-base questions, order status, small talk."""

    MIX = (("question", 0.45), ("order", 0.35), ("small talk", 0.20))

    def __init__(self, questions: Sequence[str], orders: Sequence[OrderProof]) -> None:
        if not questions or not orders:
            raise ValueError("need at least one knowledge-base question and one order")
        self.questions = list(questions)
        self.orders = list(orders)

    def draw(self, rng: random.Random) -> Conversation:
        kind = rng.choices([kind for kind, _ in self.MIX], [weight for _, weight in self.MIX])[0]
        return self.build(kind, rng)

    def build(self, kind: str, rng: random.Random) -> Conversation:
        turns: list[Turn] = []
        if kind == "question":
            if rng.random() < 0.5:
                turns.append(Turn(rng.choice(GREETINGS)))
            turns.append(Turn(rng.choice(self.questions)))
            turns.append(HELPFUL if rng.random() < 0.5 else Turn(rng.choice(THANKS)))
            if rng.random() < 0.4:
                turns.append(Turn(rng.choice(self.questions)))
            turns.append(Turn(rng.choice(GOODBYES)))
            if rng.random() < 0.5:
                turns.append(RATE)
        elif kind == "order":
            order = rng.choice(self.orders)
            shown = f"Order {order.number}"
            if rng.random() < 0.3:
                turns.append(Turn(rng.choice(GREETINGS)))
            if rng.random() < 0.5:
                turns.append(Turn(rng.choice(ORDER_ASKS), expect=ASKS_NUMBER))
                turns.append(Turn(rng.choice(NUMBER_ANSWERS).format(n=order.number), expect=ASKS_PROOF))
            else:
                turns.append(Turn(rng.choice(ORDER_ASKS_WITH_NUMBER).format(n=order.number), expect=ASKS_PROOF))
            turns.append(Turn(order.proof, expect=shown))
            turns.append(Turn(rng.choice(THANKS)))
            turns.append(Turn(rng.choice(GOODBYES)))
        elif kind == "small talk":
            turns.append(Turn(rng.choice(GREETINGS)))
            turns.append(Turn(rng.choice(BOT_CHALLENGES)))
            turns.append(Turn(rng.choice(self.questions)))
            turns.append(Turn(rng.choice(THANKS)))
            turns.append(Turn(rng.choice(GOODBYES)))
            turns.append(RATE)
        else:
            raise ValueError(f"unknown conversation kind {kind!r}")
        return Conversation(kind, tuple(turns))


def demo_orders(customers: Sequence[DemoCustomer], today: datetime) -> list[OrderProof]:
    """Orders an anonymous customer can ask about without being handed to a person (not late, not a VIP's)."""
    proofs: list[OrderProof] = []
    for customer in customers:
        if customer.tier == "vip":
            continue  # a VIP goes to a person after one miss: keep the bot in charge
        for order in customer.orders:
            if order.status in IN_FLIGHT and order.promised_date < today.date():
                continue  # a late order hands the conversation to a person
            proofs.append(OrderProof(order.number, customer.email if len(proofs) % 2 == 0 else customer.phone))
    return proofs


# Talking to the bot: through the gateway, or to Rasa alone --------------------------------


class TurnFailed(Exception):
    """The turn got no proper reply: an error frame, an HTTP error, 'the bot is unavailable'."""


@dataclass(frozen=True)
class Outcome:
    text: str  # every reply's text, joined
    handed_off: bool  # the conversation went to a person: the bot says nothing more


class Chat(Protocol):
    async def open(self) -> None: ...
    async def send(self, turn: Turn, timeout: float) -> Outcome: ...
    async def close(self) -> None: ...


class GatewayChat:
    """The widget's side: one websocket per conversation."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.client = ChatClient(http, base_url)

    async def open(self) -> None:
        welcome = await self.client.connect()
        if welcome.get("type") != "welcome":
            raise TurnFailed(f"no welcome but {welcome.get('code') or welcome.get('type')}")

    async def send(self, turn: Turn, timeout: float) -> Outcome:
        replies = await asyncio.wait_for(self.client.say(turn.text, turn.payload, timeout=timeout), timeout)
        texts = []
        handed_off = False
        for reply in replies:
            if reply["type"] == "error":
                raise TurnFailed(f"error frame {reply.get('code')}")
            text = reply.get("text") or ""
            if reply.get("sender") == "system":
                if text in (NO_REPLY_TEXT, BOT_UNAVAILABLE_TEXT):
                    raise TurnFailed("the gateway said the bot gave no reply")
                handed_off = True  # the queue position or business hours: a person takes over
            texts.append(text)
        return Outcome("\n".join(texts), handed_off)

    async def close(self) -> None:
        await self.client.close()


class RasaChat:
    """Bare Rasa: its webhook, signed as the gateway signs it, with the metadata of an anonymous web customer."""

    def __init__(self, http: aiohttp.ClientSession, rasa_url: str, secret: str) -> None:
        self.http = http
        self.url = f"{rasa_url.rstrip('/')}/webhooks/gateway/webhook"
        self.secret = secret
        self.sender = new_conversation_id()
        self.failed_in_a_row = 0

    async def open(self) -> None:
        self.sender = new_conversation_id()
        self.failed_in_a_row = 0

    async def send(self, turn: Turn, timeout: float) -> Outcome:
        metadata = {
            "channel": "web",
            "channel_user_id": self.sender,
            "conversation_id": self.sender,
            "customer_id": None,
            "verified": False,
        }
        body = json.dumps(
            {"sender": self.sender, "message": turn.rasa_message, "metadata": sign_identity(self.secret, metadata)}
        ).encode()
        async with self.http.post(
            self.url,
            data=body,
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, "channel", body)},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            if response.status != 200:
                raise TurnFailed(f"Rasa answered HTTP {response.status}")
            replies = await response.json()
        if not isinstance(replies, list) or not replies:
            raise TurnFailed("Rasa gave no reply")
        signals = {str(r["custom"].get("signal")) for r in replies if isinstance(r.get("custom"), dict)}
        self.failed_in_a_row = self.failed_in_a_row + 1 if "bot_failed" in signals else 0
        handed_off = bool(signals & HANDOFF_SIGNALS) or self.failed_in_a_row >= 2
        return Outcome("\n".join(str(r.get("text") or "") for r in replies), handed_off)

    async def close(self) -> None:
        return None


# One phase: N customers on one side for a while ---------------------------------------


@dataclass
class PhaseStats:
    latencies: list[float] = field(default_factory=list)  # seconds, measured turns that got their reply
    errors: Counter[str] = field(default_factory=Counter)  # measured turns without a proper reply, by cause
    off_script: int = 0  # replies without the expected fragment (e.g. the order status)
    handed_off: int = 0  # conversations that went to a person (the bot is silent after that)
    conversations: int = 0
    window_s: float = 0.0  # measured seconds
    cpu_s: Counter[str] = field(default_factory=Counter)  # CPU seconds per process over the measured window

    def add(self, other: PhaseStats) -> None:
        self.cpu_s.update(other.cpu_s)
        self.latencies += other.latencies
        self.errors.update(other.errors)
        self.off_script += other.off_script
        self.handed_off += other.handed_off
        self.conversations += other.conversations
        self.window_s += other.window_s

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def cpu_ms_per_message(self, part: str) -> float:
        return 1000 * self.cpu_s[part] / len(self.latencies) if self.latencies else math.nan

    def summary(self) -> dict[str, float]:
        figures = percentiles_ms(self.latencies) if self.latencies else dict.fromkeys(("p50", "p95", "p99"), math.nan)
        figures["rate"] = len(self.latencies) / self.window_s if self.window_s else math.nan
        return figures


@dataclass(frozen=True)
class Load:
    think: tuple[float, float]
    warmup_s: float
    timeout_s: float
    seed: int


def user_rng(load: Load, users: int, round_index: int, user: int) -> random.Random:
    """The same customer draws the same conversations and think times on both sides of a round."""
    return random.Random(f"{load.seed}:{users}:{round_index}:{user}")


async def run_phase(
    open_chat: Callable[[], Chat],
    scripts: Scripts,
    load: Load,
    users: int,
    round_index: int,
    window_s: float,
    label: str,
    meter: CpuMeter,
) -> PhaseStats:
    loop = asyncio.get_running_loop()
    started = loop.time()
    measure_from, end = started + load.warmup_s, started + load.warmup_s + window_s
    stats = PhaseStats(window_s=window_s)
    loop.call_at(measure_from, meter.start)
    low, high = load.think

    async def pause(rng: random.Random) -> None:
        await asyncio.sleep(max(0.0, min(rng.uniform(low, high), end - loop.time())))

    async def customer(user: int) -> None:
        rng = user_rng(load, users, round_index, user)
        await asyncio.sleep(rng.uniform(0, min(high, load.warmup_s) or 0))  # arrive spread out, not in one burst
        while loop.time() < end:
            conversation = scripts.draw(rng)
            chat = open_chat()
            try:
                await chat.open()
            except (TurnFailed, aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
                if loop.time() >= measure_from:
                    stats.errors[f"connect: {error.__class__.__name__}"] += 1
                await chat.close()
                await pause(rng)
                continue
            if loop.time() >= measure_from:
                stats.conversations += 1
            try:
                for turn in conversation.turns:
                    if loop.time() >= end:
                        break
                    sent = loop.time()
                    measured = sent >= measure_from
                    try:
                        outcome = await chat.send(turn, load.timeout_s)
                    except asyncio.TimeoutError:
                        if measured:
                            stats.errors[f"no reply within {load.timeout_s:g} s"] += 1
                        break
                    except (TurnFailed, aiohttp.ClientError, OSError) as error:  # OSError: also ChatClosed
                        if measured:
                            stats.errors[str(error) if isinstance(error, TurnFailed) else error.__class__.__name__] += 1
                        break
                    if measured:
                        stats.latencies.append(loop.time() - sent)
                        stats.off_script += bool(turn.expect and turn.expect not in outcome.text)
                    if outcome.handed_off:
                        stats.handed_off += int(measured)
                        break
                    await pause(rng)
            finally:
                await chat.close()
            await pause(rng)

    async def report() -> None:
        while True:
            await asyncio.sleep(PROGRESS_EVERY_S)
            now = loop.time()
            if now < measure_from:
                continue
            p95 = f"{percentiles_ms(stats.latencies)['p95']:.0f} ms" if stats.latencies else "-"
            progress(
                f"  {label}: {min(now, end) - measure_from:.0f}/{window_s:.0f} s measured, {len(stats.latencies)} replies, "
                f"p95 {p95}, {stats.error_count} errors"
            )

    reporter = asyncio.create_task(report())
    try:
        await asyncio.gather(*(customer(user) for user in range(users)))
    finally:
        reporter.cancel()
    await asyncio.to_thread(meter.stop)  # the customers stop at the window's end; in-flight turns are few
    stats.cpu_s.update(meter.spent)
    return stats


# The sweep ---------------------------------------------------------------------------


@dataclass
class Step:
    users: int
    gateway: PhaseStats
    rasa: PhaseStats

    @property
    def ratio(self) -> float:
        return self.gateway.summary()["p95"] / self.rasa.summary()["p95"]


@dataclass(frozen=True)
class Crossing:
    at: int | None  # the first concurrency whose p95 is above the limit; None if none is
    below: int | None  # the last concurrency measured before it, if any
    estimate: float | None  # linear interpolation between the two

    def describe(self, highest: int) -> str:
        if self.at is None:
            return f"not reached up to {highest} customers"
        if self.below is None or self.estimate is None:
            return f"already at {self.at} customers (the lowest measured)"
        return f"at {self.at} customers (between {self.below} and {self.at}; about {self.estimate:.0f} by linear interpolation)"


def crossing(points: Sequence[tuple[int, float]], limit_ms: float = P95_LIMIT_MS) -> Crossing:
    """Where p95 first goes above ``limit_ms`` in (concurrency, p95 ms) points, ordered by concurrency."""
    below: tuple[int, float] | None = None
    for users, p95 in points:
        if p95 > limit_ms:
            if below is None:
                return Crossing(users, None, None)
            low_users, low_p95 = below
            estimate = low_users + (users - low_users) * (limit_ms - low_p95) / (p95 - low_p95)
            return Crossing(users, low_users, estimate)
        below = (users, p95)
    return Crossing(None, None, None)


def parse_think(raw: str) -> tuple[float, float]:
    """'1.0-3.0' -> (1.0, 3.0); '2' -> (2.0, 2.0); '0' means no think time."""
    parts = raw.split("-")
    if len(parts) not in (1, 2):
        raise argparse.ArgumentTypeError(f"think time {raw!r}: give SECONDS or LOW-HIGH")
    try:
        low, high = float(parts[0]), float(parts[-1])
    except ValueError:
        raise argparse.ArgumentTypeError(f"think time {raw!r}: not a number") from None
    if low < 0 or high < low:
        raise argparse.ArgumentTypeError(f"think time {raw!r}: need 0 <= LOW <= HIGH")
    return low, high


def parse_users(raw: str) -> list[int]:
    try:
        counts = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"users {raw!r}: a comma-separated list of counts, e.g. 1,5,20") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"users {raw!r}: every count must be at least 1")
    return sorted(set(counts))


async def pick_questions(
    http: aiohttp.ClientSession, rasa_url: str, secret: str, rng: random.Random
) -> tuple[list[str], int]:
    """Knowledge-base questions the bot answers itself (no hand-off): after a hand-off there is no reply to time.

    Each goes once to bare Rasa in a conversation of its own, which also warms up Rasa and the action server.
    """
    labelled = load_questions(EVAL_FILE).in_scope
    candidates = rng.sample([question for question, _ in labelled], min(KB_SAMPLE, len(labelled)))
    kept = []
    for question in candidates:
        chat = RasaChat(http, rasa_url, secret)
        try:
            outcome = await chat.send(Turn(question), timeout=60)
        except (TurnFailed, aiohttp.ClientError, asyncio.TimeoutError):
            continue
        if not outcome.handed_off and chat.failed_in_a_row == 0:
            kept.append(question)
    return kept, len(candidates)


async def smoke_test(sides: dict[str, Callable[[], Chat]], scripts: Scripts, rng: random.Random) -> None:
    """One conversation of every kind on both sides must go as scripted, or the figures would mean nothing."""
    for kind, _ in Scripts.MIX:
        conversation = scripts.build(kind, rng)
        for side, open_chat in sides.items():
            chat = open_chat()
            await chat.open()
            try:
                for turn in conversation.turns:
                    outcome = await chat.send(turn, timeout=60)
                    if turn.expect and turn.expect not in outcome.text:
                        raise SystemExit(
                            f"{side}, {kind} conversation: {turn.text!r} got {outcome.text!r}, "
                            f"expected a reply with {turn.expect!r}; the script no longer matches the bot"
                        )
                    if outcome.handed_off:
                        raise SystemExit(f"{side}, {kind} conversation: {turn.text!r} handed the conversation off")
            finally:
                await chat.close()


async def sweep(
    product: RunningProduct | RunningCluster, groups: dict[str, tuple[int, ...]], args: argparse.Namespace
) -> tuple[list[Step], list[Step], dict[str, Any]]:
    load = Load(args.think, args.warmup, args.timeout, args.seed)
    rng = random.Random(args.seed)
    connector = aiohttp.TCPConnector(limit=0)  # every customer its own connection, as in real life
    async with aiohttp.ClientSession(connector=connector) as http:
        rasa_url = product.settings.rasa_url
        progress(f"checking {KB_SAMPLE} knowledge-base questions against the bot (and warming it up)")
        secret = product.settings.internal_secret
        questions, checked = await pick_questions(http, rasa_url, secret, rng)
        orders = demo_orders(product.customers, datetime.now(timezone.utc))
        scripts = Scripts(questions, orders)
        progress(f"{len(questions)} of {checked} questions answered by the bot itself; {len(orders)} demo orders")
        sides: dict[str, Callable[[], Chat]] = {
            "gateway": lambda: GatewayChat(http, product.base_url),
            "Rasa": lambda: RasaChat(http, rasa_url, secret),
        }
        await smoke_test(sides, scripts, rng)
        progress("one conversation of each kind went as scripted on both sides")

        steps: list[Step] = []
        window_s = args.duration / args.rounds
        for users in args.users:
            totals = {"gateway": PhaseStats(), "Rasa": PhaseStats()}
            for round_index in range(args.rounds):
                order = ["gateway", "Rasa"] if round_index % 2 == 0 else ["Rasa", "gateway"]
                for side in order:
                    label = f"{side}, {users} customers, round {round_index + 1}/{args.rounds}"
                    progress(f"{label}: {load.warmup_s:.0f} s warm-up, then {window_s:.0f} s measured")
                    profiled = args.profile is not None and (users, round_index, side) == (args.users[-1], 0, "gateway")
                    meter = CpuMeter(groups, args.profile if profiled else None, window_s)
                    if profiled:
                        progress(f"  recording py-spy flame graphs of every process into {args.profile}")
                    stats = await run_phase(sides[side], scripts, load, users, round_index, window_s, label, meter)
                    totals[side].add(stats)
            step = Step(users, totals["gateway"], totals["Rasa"])
            steps.append(step)
            gateway, rasa = step.gateway.summary(), step.rasa.summary()
            progress(
                f"{users} customers: gateway p95 {gateway['p95']:.0f} ms, {gateway['rate']:.1f} msg/s, "
                f"{step.gateway.error_count} errors; Rasa p95 {rasa['p95']:.0f} ms, {rasa['rate']:.1f} msg/s, "
                f"{step.rasa.error_count} errors; ratio {step.ratio:.2f}; "
                f"{step.gateway.conversations} + {step.rasa.conversations} conversations"
            )
        saturation = await saturate(sides, scripts, groups, args)
    setup = {"questions": len(questions), "checked": checked, "orders": len(orders)}
    return steps, saturation, setup


async def saturate(
    sides: dict[str, Callable[[], Chat]], scripts: Scripts, groups: dict[str, tuple[int, ...]], args: argparse.Namespace
) -> list[Step]:
    """Customers who never pause: each sends its next message as soon as the reply is in, so the product runs flat
    out and messages/s is what it can serve. One phase per side and concurrency in --saturation."""
    load = Load((0.0, 0.0), args.warmup, args.timeout, args.seed)
    window_s = args.duration / args.rounds
    steps = []
    for users in args.saturation:
        totals = {}
        for side in ("gateway", "Rasa"):
            label = f"{side}, {users} customers without pauses"
            progress(f"{label}: {load.warmup_s:.0f} s warm-up, then {window_s:.0f} s measured")
            meter = CpuMeter(groups, None, window_s)
            totals[side] = await run_phase(sides[side], scripts, load, users, 0, window_s, label, meter)
        step = Step(users, totals["gateway"], totals["Rasa"])
        steps.append(step)
        progress(
            f"{users} customers without pauses: gateway {step.gateway.summary()['rate']:.1f} msg/s, "
            f"bare Rasa {step.rasa.summary()['rate']:.1f} msg/s"
        )
    return steps


# Report --------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0f}"


def render(steps: list[Step], setup: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        "| customers | gateway p50 ms | p95 ms | p99 ms | msg/s | errors | Rasa p50 ms | p95 ms | p99 ms | msg/s | errors "
        "| p95 gateway / Rasa | off script | handed off |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for step in steps:
        g, r = step.gateway.summary(), step.rasa.summary()
        lines.append(
            f"| {step.users} | {_ms(g['p50'])} | {_ms(g['p95'])} | {_ms(g['p99'])} | {g['rate']:.1f} | "
            f"{step.gateway.error_count} | {_ms(r['p50'])} | {_ms(r['p95'])} | {_ms(r['p99'])} | {r['rate']:.1f} | "
            f"{step.rasa.error_count} | {step.ratio:.2f} | {step.gateway.off_script}/{step.rasa.off_script} | "
            f"{step.gateway.handed_off}/{step.rasa.handed_off} |"
        )
    parts = [name for name in steps[0].gateway.cpu_s] if steps else []
    lines += [
        "",
        "CPU milliseconds per message, by process (user + system, whole process group, over the measured window):",
        "",
        "| customers | side | " + " | ".join(parts) + " | product total |",
        "|---:|---|" + "---:|" * (len(parts) + 1),
    ]
    for step in steps:
        for side, stats in (("gateway", step.gateway), ("bare Rasa", step.rasa)):
            product_ms = sum(stats.cpu_ms_per_message(part) for part in parts if part != "load generator")
            cells = " | ".join(_ms(stats.cpu_ms_per_message(part)) for part in parts)
            lines.append(f"| {step.users} | {side} | {cells} | {_ms(product_ms)} |")
    low, high = args.think
    layout = (
        f"{args.replicas} of each process (gateway, Rasa, action server) behind nginx, on PostgreSQL and Redis; "
        "bare Rasa through nginx's Rasa balancer"
        if args.replicas
        else "one process of each on SQLite (`deskbot run`)"
    )
    lines += [
        "",
        f"- set-up: {layout}",
        f"- load: think time {low:g}-{high:g} s uniform; {args.duration:g} s measured per side and concurrency "
        f"in {args.rounds} alternating rounds, each after {args.warmup:g} s of warm-up; reply timeout {args.timeout:g} s",
        f"- conversations: {', '.join(f'{kind} {weight:.0%}' for kind, weight in Scripts.MIX)}; "
        f"{setup['questions']} knowledge-base questions (of {setup['checked']} checked; the bot handed the others to a "
        f"person), {setup['orders']} demo orders",
    ]
    errors = Counter[str]()
    for step in steps:
        errors.update({f"gateway: {cause}": n for cause, n in step.gateway.errors.items()})
        errors.update({f"Rasa: {cause}": n for cause, n in step.rasa.errors.items()})
    if errors:
        lines.append("- errors: " + "; ".join(f"{cause} ×{n}" for cause, n in errors.most_common()))
    at_target = next((step for step in steps if step.users == TARGET_USERS), None)
    if at_target is None:
        lines.append(f"- targets at {TARGET_USERS} customers: not measured in this run")
    else:
        p95, ratio = at_target.gateway.summary()["p95"], at_target.ratio
        errors_note = "" if at_target.gateway.error_count == 0 else f" ({at_target.gateway.error_count} errors)"
        lines.append(
            f"- targets at {TARGET_USERS} customers: p95 {_ms(p95)} ms (target ≤ {TARGET_P95_MS:.0f}: "
            f"{'met' if p95 <= TARGET_P95_MS else 'missed'}){errors_note}, {ratio:.2f} × bare Rasa's p95 "
            f"(target ≤ {TARGET_RATIO}: {'met' if ratio <= TARGET_RATIO else 'missed'})"
        )
    highest = steps[-1].users if steps else 0
    gateway_cross = crossing([(step.users, step.gateway.summary()["p95"]) for step in steps])
    rasa_cross = crossing([(step.users, step.rasa.summary()["p95"]) for step in steps])
    lines.append(
        f"- p95 above {P95_LIMIT_MS:.0f} ms: gateway {gateway_cross.describe(highest)}; "
        f"bare Rasa {rasa_cross.describe(highest)}"
    )
    return "\n".join(lines)


def render_saturation(steps: list[Step]) -> str:
    if not steps:
        return ""
    lines = [
        "",
        "",
        "Saturation: customers who send their next message as soon as the reply is in (no think time):",
        "",
        "| customers | gateway msg/s | p95 ms | CPU ms/msg (product) | bare Rasa msg/s | p95 ms | CPU ms/msg (product) "
        "| errors |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def product_ms(stats: PhaseStats) -> float:
        return sum(stats.cpu_ms_per_message(part) for part in stats.cpu_s if part != "load generator")

    for step in steps:
        g, r = step.gateway.summary(), step.rasa.summary()
        lines.append(
            f"| {step.users} | {g['rate']:.1f} | {_ms(g['p95'])} | {_ms(product_ms(step.gateway))} | {r['rate']:.1f} | "
            f"{_ms(r['p95'])} | {_ms(product_ms(step.rasa))} | {step.gateway.error_count}/{step.rasa.error_count} |"
        )
    best = max(steps, key=lambda step: step.gateway.summary()["rate"])
    best_rasa = max(steps, key=lambda step: step.rasa.summary()["rate"])
    rate = best.gateway.summary()["rate"]
    lines.append(
        f"- saturation throughput: gateway {rate:.1f} msg/s (at {best.users} customers; target ≥ "
        f"{TARGET_RATE:.0f}: {'met' if rate >= TARGET_RATE else 'missed'}), bare Rasa "
        f"{best_rasa.rasa.summary()['rate']:.1f} msg/s (at {best_rasa.users})"
    )
    return "\n".join(lines)


@contextmanager
def running_product(var_dir: Path, args: argparse.Namespace) -> Iterator[tuple[Stack, RunningProduct | RunningCluster]]:
    """The one-process SQLite set-up, or with --replicas N that many of each process behind nginx."""
    model = ensure_model(ROOT / "var" / "models", progress=progress)
    if args.replicas:
        with running_cluster(
            var_dir, model, args.replicas, admin_url=args.postgres_url, redis_url=args.redis_url, progress=progress
        ) as running:
            yield running
        return
    progress("starting the action server, Rasa and the gateway on free ports")
    stack, product = start_product(var_dir, model, progress=progress)
    try:
        yield stack, product
    finally:
        progress("stopping the product")
        stack.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--users",
        type=parse_users,
        default=parse_users("1,5,10,20,40,80"),
        help="concurrent customers, comma-separated",
    )
    parser.add_argument("--duration", type=float, default=60, help="measured seconds per side and concurrency")
    parser.add_argument("--think", type=parse_think, default=(1.0, 3.0), help="seconds between messages: LOW-HIGH")
    parser.add_argument("--warmup", type=float, default=5, help="unmeasured seconds at the start of every phase")
    parser.add_argument("--rounds", type=int, default=2, help="alternating gateway/Rasa rounds per concurrency")
    parser.add_argument("--timeout", type=float, default=10, help="seconds until a missing reply is an error")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--saturation",
        type=parse_users,
        default=[],
        help="also run customers without think time at these concurrencies (e.g. 4,8,16): messages/s at saturation",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=0,
        help="N of each process behind nginx on PostgreSQL + Redis (deskbot run --replicas N); "
        "0 (the default): the one-process SQLite set-up",
    )
    parser.add_argument(
        "--postgres-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="with --replicas: a PostgreSQL server where a database for the run is created (and dropped after)",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/15",
        help="with --replicas: the Redis the replicas share (this database number is emptied first)",
    )
    parser.add_argument("--no-append", action="store_true", help="print only; do not append to BENCHMARKS.md")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="record py-spy flame graphs of every process into this folder (highest concurrency, gateway side)",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration <= 0:
        parser.error("--rounds must be at least 1 and --duration positive")
    if args.replicas < 0:
        parser.error("--replicas must be 0 (one process of each, SQLite) or more")

    per_step = 2 * (args.duration + args.rounds * args.warmup)
    progress(
        f"{len(args.users)} concurrency step(s) of about {per_step:.0f} s each (gateway and bare Rasa), "
        "after start-up and a warm-up check"
    )
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="deskbot-bench-chat-") as var_dir,
        running_product(Path(var_dir), args) as (stack, product),
    ):
        steps, saturation, setup = asyncio.run(sweep(product, process_groups(stack.services), args))
    progress(f"done in {time.monotonic() - started:.0f} s")
    body = render(steps, setup, args) + render_saturation(saturation)
    print(body)
    if not args.no_append:
        append_results("Chat latency: gateway over websocket vs bare Rasa REST", command_line("bench.chat", argv), body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
