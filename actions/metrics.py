"""The action server's Prometheus metrics at ``GET /metrics`` (docs/metrics.md lists them).

Action latency and failures by action name, timed by Sanic middleware around rasa-sdk's ``/webhook``
(the executor is rasa-sdk's own, so nothing inside it is touched), plus the process's CPU and memory.
Readable from this machine or with ``METRICS_TOKEN`` (bot.metrics_access), like the gateway's.

The registry is per process: rasa-sdk runs one Sanic worker unless ACTION_SERVER_SANIC_WORKERS says
more, and with more each worker would count only its own calls.
"""

from __future__ import annotations

import json
import time
import zlib
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.metrics_access import ALLOWED, UNAUTHORISED, metrics_access

WEBHOOK = "/webhook"
METRICS_PATH = "/metrics"
NAMESPACE = "deskbot"
# From a slot check (milliseconds) to a knowledge-base search with a cold model (seconds).
ACTION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def action_name(request: Request) -> str:
    """The called action's name, however rasa-sdk was sent it (plain or deflated JSON); "unknown" otherwise."""
    try:
        if request.headers.get("Content-Encoding") == "deflate":
            body: Any = json.loads(zlib.decompress(request.body))
        else:
            body = request.json
    except (ValueError, zlib.error):
        return "unknown"
    name = body.get("next_action") if isinstance(body, dict) else None
    return name if isinstance(name, str) and name else "unknown"


class ActionMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.seconds = Histogram(
            "action_seconds",
            "Time to run one action call, by action",
            ["action"],
            namespace=NAMESPACE,
            registry=self.registry,
            buckets=ACTION_BUCKETS,
        )
        self.errors = Counter(
            "action_errors",
            "Action calls answered with an error, by action and HTTP status (400 rejected, 404 unknown, 500 crashed)",
            ["action", "status"],
            namespace=NAMESPACE,
            registry=self.registry,
        )


def instrument(app: Sanic, token: str) -> ActionMetrics:
    """Time every ``/webhook`` call and serve ``/metrics``; ``token`` is METRICS_TOKEN (empty: loopback only)."""
    metrics = ActionMetrics()

    @app.middleware("request")
    async def start_timer(request: Request) -> None:
        if request.path == WEBHOOK:
            request.ctx.metrics_started = time.perf_counter()

    @app.middleware("response")
    async def observe(request: Request, reply: HTTPResponse) -> None:
        started = getattr(request.ctx, "metrics_started", None)
        if started is None:
            return  # not a webhook call, or one the token check refused before it started
        name = action_name(request)
        metrics.seconds.labels(name).observe(time.perf_counter() - started)
        if reply.status >= 400:
            metrics.errors.labels(name, str(reply.status)).inc()

    @app.get(METRICS_PATH)
    async def serve_metrics(request: Request) -> HTTPResponse:
        verdict = metrics_access(request.ip, request.headers, token)
        if verdict != ALLOWED:
            reason = (
                "wrong metrics token" if verdict == UNAUTHORISED else "metrics are for this machine or METRICS_TOKEN"
            )
            return response.json({"error": "metrics_refused", "message": reason}, status=verdict)
        return response.raw(generate_latest(metrics.registry), content_type=CONTENT_TYPE_LATEST)

    return metrics


__all__ = ["ActionMetrics", "action_name", "instrument"]
