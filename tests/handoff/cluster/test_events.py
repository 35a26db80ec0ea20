"""Events between two replicas' hubs over one real Redis: delivered once, listeners only where published,
and a Redis outage that loses local delivery nothing and heals by itself."""

from __future__ import annotations

import json
import logging
from typing import Any

import redis.asyncio as redis

from handoff.cluster.events import RESYNC_TOPIC
from handoff.hub import RESYNC, Hub
from tests.handoff.cluster.replicas import next_event, replica_hub, two_replicas, unique_channel, wait_until
from tests.redis_server import RedisServer, free_port

REPLY = {"type": "message", "id": 41, "sender": "agent", "text": "Your parcel left today", "buttons": []}
FENCE = {"type": "typing", "sender": "bot", "on": False}


async def test_an_event_published_on_one_replica_reaches_a_subscriber_on_the_other_once(redis_url) -> None:  # type: ignore[no-untyped-def]
    async with two_replicas(redis_url) as (a, b), b.subscribe("web-ada") as on_b:
        a.publish("web-ada", REPLY)
        a.publish("web-ada", FENCE)  # same publisher, same channel: arrives after REPLY
        assert await next_event(on_b) == REPLY
        assert await next_event(on_b) == FENCE, "REPLY came twice"
        assert on_b.empty()


async def test_other_topics_do_not_reach_a_subscriber(redis_url) -> None:  # type: ignore[no-untyped-def]
    async with two_replicas(redis_url) as (a, b), b.subscribe("web-ada") as on_b:
        a.publish("web-bob", REPLY)
        a.publish("web-ada", FENCE)
        assert await next_event(on_b) == FENCE


async def test_listeners_hear_only_events_published_on_their_own_replica(redis_url) -> None:  # type: ignore[no-untyped-def]
    heard_on_a: list[tuple[str, dict]] = []
    heard_on_b: list[tuple[str, dict]] = []
    async with two_replicas(redis_url) as (a, b):
        a.add_listener(lambda topic, event: heard_on_a.append((topic, event)))
        b.add_listener(lambda topic, event: heard_on_b.append((topic, event)))
        async with b.subscribe("tg-42") as on_b:
            a.publish("tg-42", REPLY)
            assert await next_event(on_b) == REPLY  # B has had the event, and did not call its listener
        assert heard_on_a == [("tg-42", REPLY)]
        assert heard_on_b == [], "the Telegram channel would push the reply twice"


async def test_a_replica_delivers_its_own_event_once_not_again_through_redis(redis_url) -> None:  # type: ignore[no-untyped-def]
    async with two_replicas(redis_url) as (a, b), a.subscribe("web-ada") as on_a, b.subscribe("web-ada") as on_b:
        a.publish("web-ada", REPLY)
        assert on_a.get_nowait() == REPLY, "local subscribers get the event at once, without Redis"
        assert await next_event(on_b) == REPLY  # so Redis has passed REPLY on ...
        b.publish("web-ada", FENCE)  # ... and a copy of it coming back to A would arrive before this
        assert await next_event(on_a) == FENCE, "A got its own event back through Redis"


async def test_a_malformed_message_on_the_channel_is_skipped_and_reading_goes_on(redis_url, caplog) -> None:  # type: ignore[no-untyped-def]
    channel = unique_channel()
    async with (
        replica_hub(redis_url, channel) as (a, _),
        replica_hub(redis_url, channel) as (b, _),
        a.subscribe("web-ada") as on_a,
        b.subscribe("web-ada") as on_b,
    ):
        stranger = redis.Redis.from_url(redis_url)
        try:
            for garbage in ("not json", json.dumps([1, 2]), json.dumps({"origin": "x", "topic": "web-ada"})):
                await stranger.publish(channel, garbage)
        finally:
            await stranger.close(close_connection_pool=True)
        a.publish("web-ada", REPLY)
        assert await next_event(on_b) == REPLY  # B read past the garbage
        b.publish("web-ada", FENCE)
        assert [await next_event(on_a), await next_event(on_a)] == [REPLY, FENCE]  # and so did A
    skipped = [r for r in caplog.records if "malformed message" in r.getMessage()]
    assert len(skipped) == 6, "each of the three, on each of the two buses"


async def test_without_a_transport_the_hub_delivers_in_process() -> None:
    hub, heard = Hub(), []
    hub.add_listener(lambda topic, event: heard.append(topic))
    async with hub.subscribe("web-ada") as queue:
        hub.publish("web-ada", REPLY)
        assert queue.get_nowait() == REPLY and heard == ["web-ada"]
    assert hub.state == "in-process"


async def test_redis_down_local_delivery_goes_on_and_sharing_resumes_when_it_is_back(
    own_redis: RedisServer, caplog
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="handoff.cluster.events")
    channel = unique_channel()
    async with replica_hub(own_redis.url, channel) as (a, bus_a), replica_hub(own_redis.url, channel) as (b, bus_b):
        assert bus_a.state == bus_b.state == "connected"
        async with a.subscribe("web-ada") as on_a, b.subscribe("web-ada") as on_b:
            own_redis.stop()
            a.publish("web-ada", REPLY)  # nothing raises, nothing waits for Redis
            assert on_a.get_nowait() == REPLY

            async def both_see_the_outage() -> bool:
                return not bus_a.healthy and not bus_b.healthy

            await wait_until(both_see_the_outage, "both buses notice Redis is gone")
            assert bus_a.state.startswith("unreachable (")
            a.publish("web-ada", FENCE)
            assert on_a.get_nowait() == FENCE

            async def retried() -> bool:
                return bus_a.failed_attempts >= 3 and bus_b.failed_attempts >= 3

            await wait_until(retried, "both buses retry a few times (each failure must not log again)")
            own_redis.start()

            async def both_connected() -> bool:
                return bus_a.healthy and bus_b.healthy

            await wait_until(both_connected, "both buses reconnect")
            a.publish("web-ada", {"type": "message", "text": "after the outage"})
            # Events published during the outage are gone for B (pub/sub keeps nothing): B's subscribers are
            # told to catch up from what is stored (by its own bus, and maybe by A's announcement), then the
            # next event arrives.
            assert RESYNC in _until_text(on_a, "after the outage")
            on_b_events = [await next_event(on_b)]
            while on_b_events[-1] == RESYNC:
                on_b_events.append(await next_event(on_b))
            assert on_b_events[0] == RESYNC and on_b_events[-1]["text"] == "after the outage", on_b_events
            assert on_b.empty()
    lost = [r for r in caplog.records if "unreachable" in r.getMessage()]
    back = [r for r in caplog.records if "answers again" in r.getMessage()]
    assert len(lost) == 2 and len(back) == 2, "once per bus when lost and once when back, not per retry"


def _until_text(queue: Any, text: str) -> list[dict[str, Any]]:
    """What is already in ``queue`` up to the event with ``text`` (which must be there)."""
    events = [queue.get_nowait()]
    while events[-1].get("text") != text:
        events.append(queue.get_nowait())
    return events


async def test_a_replica_back_after_an_outage_has_the_others_catch_up_too(redis_url) -> None:  # type: ignore[no-untyped-def]
    """Events a cut-off replica published never reached the others, which may not have noticed any outage."""
    channel = unique_channel()
    async with replica_hub(redis_url, channel) as (b, _), b.subscribe("web-ada") as on_b:
        announcer = redis.Redis.from_url(redis_url)
        try:
            await announcer.publish(channel, json.dumps({"origin": "replica-a", "topic": RESYNC_TOPIC, "event": {}}))
        finally:
            await announcer.close(close_connection_pool=True)
        assert await next_event(on_b) == RESYNC


async def test_while_redis_is_unreachable_publish_delivers_locally_and_warns_without_flooding(caplog) -> None:  # type: ignore[no-untyped-def]
    nowhere = f"redis://:secret-password@127.0.0.1:{free_port()}/0"
    async with replica_hub(nowhere, unique_channel()) as (hub, bus):
        assert bus.state.startswith("unreachable ("), "start returned after the first attempt failed"
        async with hub.subscribe("web-ada") as queue:
            for _ in range(5):
                hub.publish("web-ada", FENCE)
            assert [queue.get_nowait() for _ in range(5)] == [FENCE] * 5
    dropped = [r for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == 1, "one warning for a burst of drops, not one per event"
    assert not any("secret-password" in r.getMessage() for r in caplog.records)


async def test_an_event_that_is_not_json_is_still_delivered_locally(redis_url, caplog) -> None:  # type: ignore[no-untyped-def]
    async with replica_hub(redis_url, unique_channel()) as (hub, _), hub.subscribe("web-ada") as queue:
        hub.publish("web-ada", {"type": "odd", "value": {1, 2}})
        assert queue.get_nowait()["type"] == "odd"
    assert any("cannot be written as JSON" in r.getMessage() for r in caplog.records)
