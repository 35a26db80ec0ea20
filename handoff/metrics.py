"""The gateway's Prometheus metrics, served at ``GET /metrics`` (docs/metrics.md lists them).

Counted as things happen: messages in and out by channel (every stored message is published on the
hub, so one hub listener sees them all, whichever surface wrote them), the bot's replies by outcome
and Rasa's latency (an observer on the Rasa client), server errors (a middleware). Read at scrape
time: the queue, from the database, one cheap query. Each application has its own registry, so
two gateways in one test process never share counters.

Access: the machine itself, or a bearer ``METRICS_TOKEN`` (bot.metrics_access decides). The client
address is ``handoff.client_address``'s, so behind a trusted proxy it is the real client's.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

from bot.metrics_access import ALLOWED, UNAUTHORISED, metrics_access
from crm_store import clock
from crm_store.db import unit_of_work
from crm_store.repositories.queue_figures import OPEN_STATUSES, queue_figures
from handoff.channels.telegram.channel import CONVERSATION_PREFIX
from handoff.client_address import client_address
from handoff.keys import HUB, RASA, SESSIONS, SETTINGS
from handoff.rasa_client import BotReply

METRICS: web.AppKey[GatewayMetrics] = web.AppKey("metrics")
NAMESPACE = "deskbot"
OUTCOMES = ("answered", "suggested", "fallback", "handed_off", "no_reply", "bot_unavailable")
# Rasa turns take from a few milliseconds (a rule) to seconds (an embedding search, a cold model).
RASA_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# A redelivered message (a retry, Telegram sending an update again) is published again with its stored id;
# the ids seen last are remembered so it counts once. Redeliveries come within minutes, well inside this.
REMEMBERED_IDS = 10_000


def reply_outcome(replies: list[BotReply] | None) -> str:
    """What one bot turn came to, from the customer's side; None replies: Rasa or the actions were down."""
    if replies is None:
        return "bot_unavailable"
    signals = {str(r["custom"].get("signal")) for r in replies if isinstance(r.get("custom"), dict)}
    if signals & {"asked_for_agent", "complaint", "late_order"}:
        return "handed_off"  # the bot asked for a person (the policy may still keep the conversation)
    if "bot_failed" in signals:
        return "fallback"
    if not any(r.get("text") or r.get("buttons") for r in replies):
        return "no_reply"
    return "suggested" if any(r.get("buttons") for r in replies) else "answered"


def channel_of(conversation_id: str) -> str:
    # Telegram conversations have fixed ids by chat (handoff.channels.telegram); every other one is web chat.
    return "telegram" if conversation_id.startswith(CONVERSATION_PREFIX) else "web"


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.messages_in = Counter(
            "messages_received", "Customer messages stored", ["channel"], namespace=NAMESPACE, registry=self.registry
        )
        self.messages_out = Counter(
            "messages_sent",
            "Messages to customers stored for delivery, by who wrote them (bot, agent, system)",
            ["channel", "sender"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.replies = Counter(
            "bot_replies", "Bot turns by outcome", ["outcome"], namespace=NAMESPACE, registry=self.registry
        )
        self.rasa_seconds = Histogram(
            "rasa_request_seconds",
            "Time for Rasa to answer one customer turn (its webhook call, actions included)",
            namespace=NAMESPACE,
            registry=self.registry,
            buckets=RASA_BUCKETS,
        )
        self.errors = Counter(
            "errors",
            "Errors by kind (bot_unavailable, http_5xx)",
            ["kind"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.queue_tickets = Gauge(
            "queue_tickets",
            "Open tickets by status, read at scrape",
            ["status"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.queue_oldest_wait = Gauge(
            "queue_oldest_wait_seconds",
            "How long the longest-waiting queued ticket has waited, read at scrape",
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.queue_mean_wait = Gauge(
            "queue_mean_wait_seconds",
            "Mean wait so far of the queued tickets (0 when none), read at scrape",
            namespace=NAMESPACE,
            registry=self.registry,
        )
        for outcome in OUTCOMES:  # present from the first scrape, so rate() sees each start at 0
            self.replies.labels(outcome)
        for channel in ("web", "telegram"):
            self.messages_in.labels(channel)
        self._counted: OrderedDict[object, None] = OrderedDict()

    def _first_time(self, message_id: object) -> bool:
        if message_id is None:
            return True  # nothing to recognise it by: count it
        if message_id in self._counted:
            return False
        self._counted[message_id] = None
        if len(self._counted) > REMEMBERED_IDS:
            self._counted.popitem(last=False)
        return True

    # Observers ---------------------------------------------------------------------------------------

    def on_event(self, topic: str, event: dict[str, Any]) -> None:
        """Hub listener: conversation messages carry their sender; the desk's copies on its own topic do not."""
        if event.get("type") != "message" or "sender" not in event or not self._first_time(event.get("id")):
            return
        channel = channel_of(topic)
        if event["sender"] == "customer":
            self.messages_in.labels(channel).inc()
        else:
            self.messages_out.labels(channel, str(event["sender"])).inc()

    def on_turn(self, seconds: float | None, replies: list[BotReply] | None) -> None:
        """Rasa client observer: ``seconds`` None when Rasa was never asked (the action server was down)."""
        if seconds is not None:
            self.rasa_seconds.observe(seconds)
        outcome = reply_outcome(replies)
        self.replies.labels(outcome).inc()
        if outcome == "bot_unavailable":
            self.errors.labels("bot_unavailable").inc()

    async def refresh_queue(self, app: web.Application) -> None:
        async with unit_of_work(app[SESSIONS]) as session:
            figures = await queue_figures(session, clock.now())
        for status in OPEN_STATUSES:
            self.queue_tickets.labels(status).set(figures.tickets[status])
        self.queue_oldest_wait.set(figures.oldest_wait_s)
        queued = figures.tickets["queued"]
        self.queue_mean_wait.set(figures.total_wait_s / queued if queued else 0.0)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def count_server_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Outermost, so it sees the status ``errors_as_json`` settled on."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        if error.status >= 500:
            request.app[METRICS].errors.labels("http_5xx").inc()
        raise
    except Exception:
        request.app[METRICS].errors.labels("http_5xx").inc()
        raise
    if response.status >= 500:
        request.app[METRICS].errors.labels("http_5xx").inc()
    return response


async def metrics_view(request: web.Request) -> web.Response:
    verdict = metrics_access(client_address(request), request.headers, request.app[SETTINGS].metrics_token)
    if verdict != ALLOWED:
        reason = "wrong metrics token" if verdict == UNAUTHORISED else "metrics are for this machine or METRICS_TOKEN"
        return web.json_response({"error": "metrics_refused", "message": reason}, status=verdict)
    metrics = request.app[METRICS]
    await metrics.refresh_queue(request.app)
    # CONTENT_TYPE_LATEST carries a charset, which aiohttp wants apart from the content type.
    return web.Response(body=generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def _observe(app: web.Application) -> Any:
    """Cleanup context after the shared resources: hooks the observers onto the hub and the Rasa client."""
    metrics = app[METRICS]
    app[HUB].add_listener(metrics.on_event)
    app[RASA].observer = metrics.on_turn
    yield


def setup(app: web.Application) -> None:
    """Before the app starts: its registry, the error middleware, the observers and the route."""
    app[METRICS] = GatewayMetrics()
    app.middlewares.insert(0, count_server_errors)
    app.cleanup_ctx.append(_observe)
    app.router.add_get("/metrics", metrics_view)


__all__ = ["METRICS", "GatewayMetrics", "channel_of", "reply_outcome", "setup"]
