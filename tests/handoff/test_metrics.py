"""The gateway's /metrics after real web-chat traffic, parsed by prometheus-client's own parser."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from crm_store import clock
from crm_store.db import unit_of_work
from crm_store.models import Conversation, Ticket
from handoff.channels.web.client import ChatClient
from handoff.metrics import GatewayMetrics, channel_of, reply_outcome
from tests.handoff.gateway import Gateway, running_gateway

TOKEN = "metrics-token-for-the-test"  # noqa: S105
FROM_OUTSIDE = {"X-Forwarded-For": "203.0.113.9"}  # through our trusted proxy (127.0.0.1) from elsewhere


async def scrape(http: aiohttp.ClientSession, gateway: Gateway, headers: dict[str, str] | None = None) -> dict:  # type: ignore[type-arg]
    """Every sample as {(name, sorted labels): value}."""
    async with http.get(gateway.url("/metrics"), headers=headers or {}) as response:
        assert response.status == 200, await response.text()
        assert response.content_type == "text/plain"
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def moved(before: dict, after: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    key = (name, tuple(sorted(labels.items())))
    return after[key] - before.get(key, 0.0)


async def test_counters_move_with_traffic_and_the_queue_is_read_at_scrape(
    sessions, database_url, tmp_path, fixed_clock
) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        session.add_all([Conversation(id="waiting-1", channel="web"), Conversation(id="waiting-2", channel="web")])
        await session.flush()
        session.add_all(
            [
                Ticket(
                    conversation_id="waiting-1",
                    reason="complaint",
                    status="queued",
                    created_at=clock.now() - timedelta(seconds=90),
                ),
                Ticket(
                    conversation_id="waiting-2",
                    reason="other",
                    status="queued",
                    created_at=clock.now() - timedelta(seconds=30),
                ),
            ]
        )
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        before = await scrape(http, gateway)
        chat = ChatClient(http, gateway.base_url)
        await chat.connect()
        for text in ("where is my order", "thanks"):
            replies = await chat.say(text)
            assert [reply["text"] for reply in replies] == [f"re: {text}"]
        await chat.close()
        after = await scrape(http, gateway)
    assert moved(before, after, "deskbot_messages_received_total", channel="web") == 2
    assert moved(before, after, "deskbot_messages_received_total", channel="telegram") == 0
    assert moved(before, after, "deskbot_messages_sent_total", channel="web", sender="bot") == 2
    assert moved(before, after, "deskbot_bot_replies_total", outcome="answered") == 2
    assert moved(before, after, "deskbot_bot_replies_total", outcome="bot_unavailable") == 0
    assert moved(before, after, "deskbot_rasa_request_seconds_count") == 2
    assert after[("deskbot_rasa_request_seconds_sum", ())] > 0
    assert after[("deskbot_queue_tickets", (("status", "queued"),))] == 2
    assert after[("deskbot_queue_tickets", (("status", "assigned"),))] == 0
    assert after[("deskbot_queue_oldest_wait_seconds", ())] == 90
    assert after[("deskbot_queue_mean_wait_seconds", ())] == 60


async def test_only_this_machine_or_the_token_may_read(database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = {"metrics_token": TOKEN, "trusted_proxies": ("127.0.0.1",)}
    async with running_gateway(database_url, tmp_path, **settings) as gateway, aiohttp.ClientSession() as http:
        for headers, status in [
            (FROM_OUTSIDE, 403),
            ({**FROM_OUTSIDE, "Authorization": "Bearer not-the-token"}, 401),
            ({"Authorization": "Bearer not-the-token"}, 401),  # a wrong token is wrong even locally
            ({**FROM_OUTSIDE, "Authorization": f"Basic {TOKEN}"}, 401),
        ]:
            async with http.get(gateway.url("/metrics"), headers=headers) as response:
                assert response.status == status, headers
                assert (await response.json())["error"] == "metrics_refused"
        assert await scrape(http, gateway, {**FROM_OUTSIDE, "Authorization": f"Bearer {TOKEN}"})
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        # No trusted proxy: a local peer that says it forwards for someone is not "this machine" either.
        async with http.get(gateway.url("/metrics"), headers=FROM_OUTSIDE) as response:
            assert response.status == 403
        async with http.get(gateway.url("/metrics"), headers={"Authorization": f"Bearer {TOKEN}"}) as response:
            assert response.status == 401, "no token is configured, so none is right"


def test_a_message_published_again_counts_once() -> None:
    metrics = GatewayMetrics()
    customer = {"type": "message", "id": 7, "sender": "customer", "text": "hi"}
    for _ in range(2):  # stored once, published again when the client retried with the same client_id
        metrics.on_event("tg-42", customer)
    metrics.on_event("tg-42", {"type": "message", "id": 8, "sender": "agent", "text": "hello"})
    metrics.on_event("handoff", {"type": "message", "ticket_id": 1, "message": customer})  # the desk's copy
    value = metrics.registry.get_sample_value
    assert value("deskbot_messages_received_total", {"channel": "telegram"}) == 1
    assert value("deskbot_messages_sent_total", {"channel": "telegram", "sender": "agent"}) == 1


def test_reply_outcomes() -> None:
    assert reply_outcome(None) == "bot_unavailable"
    assert reply_outcome([]) == "no_reply"
    assert reply_outcome([{"text": "Returns take 30 days."}]) == "answered"
    assert reply_outcome([{"text": "Did you mean…", "buttons": [{"title": "Returns", "payload": "/r"}]}]) == "suggested"
    assert reply_outcome([{"text": "Sorry?"}, {"custom": {"signal": "bot_failed"}}]) == "fallback"
    assert reply_outcome([{"text": "A person will help"}, {"custom": {"signal": "complaint"}}]) == "handed_off"
    assert (channel_of("tg-12345"), channel_of("aZ9_tg-")) == ("telegram", "web")
