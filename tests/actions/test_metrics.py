"""The action server's /metrics: rasa-sdk's real Sanic app and executor, served on a loopback port."""

from __future__ import annotations

import json
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from rasa_sdk.endpoint import create_app
from sanic import Sanic

from actions.metrics import instrument
from actions.server import OPEN_PATHS
from tests.actions import metrics_actions
from tests.redis_server import free_port

TOKEN = "action-metrics-token"  # noqa: S105
TRACKER = {
    "sender_id": "c1",
    "slots": {},
    "latest_message": {},
    "events": [],
    "paused": False,
    "latest_event_time": None,
}


@asynccontextmanager
async def serving(token: str) -> AsyncIterator[str]:
    was, Sanic.test_mode = Sanic.test_mode, True  # rasa-sdk names every app "rasa_sdk"; tests build several
    try:
        app = create_app(metrics_actions, cors_origins=None)
        instrument(app, token)
        port = free_port()
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
        assert server is not None
        await server.startup()
        await server.start_serving()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            await server.close()
    finally:
        Sanic.test_mode = was


def call(action: str) -> dict:  # type: ignore[type-arg]
    return {"next_action": action, "sender_id": "c1", "tracker": TRACKER, "domain": {}, "version": "3.6.2"}


async def samples(http: aiohttp.ClientSession, base: str, headers: dict[str, str] | None = None) -> dict:  # type: ignore[type-arg]
    async with http.get(f"{base}/metrics", headers=headers or {}) as response:
        assert response.status == 200, await response.text()
        text = await response.text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }


async def test_action_latency_and_errors_by_action() -> None:
    async with serving("") as base, aiohttp.ClientSession() as http:
        for _ in range(2):
            async with http.post(f"{base}/webhook", json=call("action_metrics_hello")) as reply:
                assert reply.status == 200
        deflated = zlib.compress(json.dumps(call("action_metrics_hello")).encode())
        async with http.post(f"{base}/webhook", data=deflated, headers={"Content-Encoding": "deflate"}) as reply:
            assert reply.status == 200
        async with http.post(f"{base}/webhook", json=call("action_metrics_boom")) as reply:
            assert reply.status == 500
        async with http.post(f"{base}/webhook", json=call("action_nobody_wrote")) as reply:
            assert reply.status == 404
        seen = await samples(http, base)
    assert seen[("deskbot_action_seconds_count", (("action", "action_metrics_hello"),))] == 3
    assert seen[("deskbot_action_seconds_count", (("action", "action_metrics_boom"),))] == 1
    assert seen[("deskbot_action_errors_total", (("action", "action_metrics_boom"), ("status", "500")))] == 1
    assert seen[("deskbot_action_errors_total", (("action", "action_nobody_wrote"), ("status", "404")))] == 1
    assert ("deskbot_action_errors_total", (("action", "action_metrics_hello"), ("status", "500"))) not in seen


async def test_metrics_need_this_machine_or_the_token() -> None:
    assert "/metrics" in OPEN_PATHS, "Rasa's token guard lets /metrics do its own check"
    async with serving(TOKEN) as base, aiohttp.ClientSession() as http:
        async with http.get(f"{base}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}) as response:
            assert response.status == 403
        async with http.get(f"{base}/metrics", headers={"Authorization": "Bearer wrong"}) as response:
            assert response.status == 401
        assert await samples(http, base, {"X-Forwarded-For": "203.0.113.9", "Authorization": f"Bearer {TOKEN}"})
