"""Replicas of the gateway: exactly one polls Telegram, another takes over when it dies; webhooks reach any of them.

Each replica is a TelegramChannel with its own engine, hub, router and Rasa client, on the test's
database and a Redis of the test's own, talking to the stand-in Bot API under a path of its own so
the stand-in can tell who polls. The lease's TTL is short here so a takeover comes quickly; the
tests wait for conditions, never for time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from crm_store.db import create_engine, session_factory, unit_of_work
from crm_store.models import Conversation, Message
from crm_store.models.base import utcnow
from crm_store.settings import StoreSettings
from handoff.channels.telegram.channel import SECRET_HEADER, STANDBY, WEBHOOK_PATH, TelegramChannel
from handoff.hub import Hub
from handoff.keys import TELEGRAM
from handoff.rasa_client import RasaClient
from handoff.router import ConversationRouter
from handoff.settings import Settings
from tests.handoff.channels.telegram.standin import TelegramStandIn
from tests.handoff.gateway import echoing_rasa, running_gateway

BOUND_S = 30.0  # a broken test ends; not a timing (the lease here expires in 1 s)
SECRET = "a-webhook-secret-of-some-length"


async def eventually(condition: Callable[[], bool], what: str, timeout: float = BOUND_S) -> None:
    """Until ``condition`` holds, polled; the replicas run in this event loop, so waiting must yield to them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
def api() -> Iterator[TelegramStandIn]:
    standin = TelegramStandIn().start()
    yield standin
    standin.stop()


@asynccontextmanager
async def rasa_echoing(received: list[str]) -> AsyncIterator[str]:
    """A stand-in Rasa that answers "re: <text>" and notes what it got; its URL."""
    rasa = await echoing_rasa(received)
    try:
        yield str(rasa.make_url("")).rstrip("/")
    finally:
        await rasa.close()


@asynccontextmanager
async def replica(
    name: str, database_url: str, var_dir: Path, redis_url: str, api: TelegramStandIn, rasa_url: str
) -> AsyncIterator[TelegramChannel]:
    """One gateway replica's Telegram side, wired as create_app wires it, with a lease that expires in 1 s."""
    settings = Settings(
        store=StoreSettings(var_dir=var_dir, database_url=database_url),
        rasa_url=rasa_url,
        telegram_bot_token="123:TOKEN",
        telegram_api_url=api.base_url_for(name),
        telegram_chat_interval=0.01,
        redis_url=redis_url,
    )
    engine = create_engine(database_url)
    http = aiohttp.ClientSession()
    sessions = session_factory(engine)
    hub = Hub()
    router = ConversationRouter(sessions, RasaClient(http, rasa_url, "", actions_health_url=f"{rasa_url}/health"), hub)
    channel = TelegramChannel(
        settings, sessions, router, hub, lease_ttl_s=1.0, lease_renew_every_s=0.25, lease_retry_every_s=0.1
    )
    channel.start_in_background()
    try:
        yield channel
    finally:
        await channel.stop()
        await http.close()
        await engine.dispose()


@asynccontextmanager
async def two_replicas(
    database_url: str, var_dir: Path, redis_url: str, api: TelegramStandIn, received: list[str]
) -> AsyncIterator[dict[str, TelegramChannel]]:
    async with rasa_echoing(received) as rasa_url, AsyncExitStack() as stack:
        yield {
            name: await stack.enter_async_context(replica(name, database_url, var_dir, redis_url, api, rasa_url))
            for name in ("replica-a", "replica-b")
        }


@asynccontextmanager
async def two_gateways(
    database_url: str, var_dir: Path, api: TelegramStandIn, **settings: Any
) -> AsyncIterator[list[Any]]:
    """Two whole gateways (create_app), each polling or called under a stand-in path of its own."""
    async with AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                running_gateway(
                    database_url,
                    var_dir,
                    telegram_bot_token="123:TOKEN",
                    telegram_api_url=api.base_url_for(name),
                    telegram_chat_interval=0.01,
                    **settings,
                )
            )
            for name in ("gateway-a", "gateway-b")
        ]


def poller(replicas: dict[str, TelegramChannel]) -> str | None:
    held = [name for name, channel in replicas.items() if channel.poller_lease and channel.poller_lease.held]
    assert len(held) <= 1, f"two replicas hold the poller's lease: {held}"
    return held[0] if held else None


def texts(api: TelegramStandIn, chat_id: int) -> list[str]:
    return [call["text"] for call in api.sent("sendMessage", chat_id)]


async def test_only_the_lease_holder_polls_and_resends_and_an_update_is_answered_once(
    api, sessions, database_url, own_redis, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    # A reply a replica stored and never delivered before the cluster went down: the poller re-sends it, once.
    async with unit_of_work(sessions) as session:
        session.add(Conversation(id="tg-9100", channel="telegram"))
        await session.flush()
        session.add(
            Message(
                conversation_id="tg-9100",
                sender="bot",
                text="your refund is on its way",
                channel="telegram",
                created_at=utcnow(),
            )
        )
    received: list[str] = []
    async with two_replicas(database_url, tmp_path, own_redis.url, api, received) as replicas:
        await eventually(lambda: poller(replicas) is not None, "one replica holds the lease")
        holder = poller(replicas)
        assert holder is not None
        (standby,) = set(replicas) - {holder}
        standby_lease = replicas[standby].poller_lease
        assert standby_lease is not None
        # Both have been at it for a while: the holder polled again and again, the standby tried again and again.
        await eventually(
            lambda: standby_lease.attempts >= 10 and api.pollers.count(holder) >= 3, "both replicas at work"
        )
        assert replicas[standby].state == STANDBY
        assert replicas[holder].state == "up"

        api.push(api.text_update(9001, "where is my order?"))
        await eventually(lambda: bool(api.sent("sendMessage", 9001)), "the update answered")
        await eventually(lambda: bool(api.sent("sendMessage", 9100)), "the undelivered reply re-sent")
        for channel in replicas.values():
            await channel.queues.drain()

        assert poller(replicas) == holder, "the lease stayed where it was"
        assert api.polled_by() == {holder}, "the standby never polled"
        assert api.conflicts == 0
        assert standby_lease.times_acquired == 0, "the standby never held the lease, so never re-sent"
        assert received == ["where is my order?"]
        assert texts(api, 9001) == ["re: where is my order?"]
        assert texts(api, 9100) == ["your refund is on its way"]


async def test_when_the_poller_dies_another_replica_takes_over_and_answers(
    api, sessions, database_url, own_redis, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    received: list[str] = []
    async with two_replicas(database_url, tmp_path, own_redis.url, api, received) as replicas:
        await eventually(lambda: poller(replicas) is not None, "one replica holds the lease")
        doomed = poller(replicas)
        assert doomed is not None
        (survivor,) = set(replicas) - {doomed}
        api.push(api.text_update(9201, "first"))
        await eventually(lambda: bool(api.sent("sendMessage", 9201)), "the first update answered")

        # SIGKILL, as far as Redis and Telegram can tell: no renewal, no release, no more polls.
        dead, dead_lease = replicas[doomed], replicas[doomed].poller_lease
        assert dead_lease is not None and dead_lease.task is not None and dead.app.updater is not None
        dead_lease.task.cancel()
        await asyncio.gather(dead_lease.task, return_exceptions=True)
        await dead.app.updater.stop()
        polls_before_takeover = len(api.pollers)

        survivor_lease = replicas[survivor].poller_lease
        assert survivor_lease is not None
        await eventually(
            lambda: survivor_lease.held and survivor in api.polled_by(polls_before_takeover),
            "the survivor polls",
        )
        assert replicas[survivor].state == "up"
        api.push(api.text_update(9202, "second"))
        await eventually(lambda: bool(api.sent("sendMessage", 9202)), "the next update answered, by the survivor")

        assert api.polled_by(polls_before_takeover) == {survivor}
        assert received == ["first", "second"]
        assert texts(api, 9201) == ["re: first"]
        assert texts(api, 9202) == ["re: second"]


async def test_two_gateways_one_polls_and_the_other_reports_standby_as_healthy(
    api, sessions, database_url, own_redis, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    async with two_gateways(database_url, tmp_path, api, redis_url=own_redis.url) as gateways:
        channels = [gateway.server.app[TELEGRAM] for gateway in gateways]
        await eventually(
            lambda: sorted(channel.state for channel in channels) == [STANDBY, "up"], "one up, one standby"
        )
        reported = []
        async with aiohttp.ClientSession() as http:
            for gateway in gateways:
                async with http.get(gateway.url("/healthz")) as response:
                    # Reported, never required: Telegram's state does not decide the status code.
                    reported.append((await response.json())["telegram"])
        assert sorted(reported) == [STANDBY, "up"]
        polling = next(
            name for name, channel in zip(("gateway-a", "gateway-b"), channels, strict=True) if channel.state == "up"
        )
        api.push(api.text_update(9301, "hello"))
        await eventually(lambda: bool(api.sent("sendMessage", 9301)), "the update answered")
        assert api.polled_by() == {polling}
        assert texts(api, 9301) == ["re: hello"]


async def test_in_webhook_mode_every_replica_accepts_telegrams_calls(
    api, sessions, database_url, own_redis, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    async with two_gateways(
        database_url,
        tmp_path,
        api,
        telegram_mode="webhook",
        telegram_webhook_secret=SECRET,
        public_url="https://shop.example",
        redis_url=own_redis.url,
    ) as gateways:
        channels: list[Any] = [gateway.server.app[TELEGRAM] for gateway in gateways]
        await eventually(lambda: all(channel.state == "up" for channel in channels), "both webhooks set")
        async with aiohttp.ClientSession() as http:
            # nginx hands each of Telegram's calls to whichever replica it likes.
            for chat_id, gateway in zip((9401, 9402), gateways, strict=True):
                async with http.post(
                    gateway.url(WEBHOOK_PATH),
                    json=api.text_update(chat_id, f"via {chat_id}"),
                    headers={SECRET_HEADER: SECRET},
                ) as response:
                    assert response.status == 200, await response.text()
        await eventually(lambda: bool(api.sent("sendMessage", 9401)), "the first replica's update answered")
        await eventually(lambda: bool(api.sent("sendMessage", 9402)), "the second replica's update answered")
        assert texts(api, 9401) == ["re: via 9401"]
        assert texts(api, 9402) == ["re: via 9402"]
        assert all(channel.poller_lease is None for channel in channels), "webhook mode takes no lease"
        assert api.pollers == [], "nobody polls in webhook mode"
        assert [call["url"] for call in api.sent("setWebhook")] == [f"https://shop.example{WEBHOOK_PATH}"] * 2


async def test_without_the_lease_two_replicas_both_poll_and_telegram_answers_409(
    api, sessions, database_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """What the lease prevents, and the stand-in's witness of it: the other tests' "no conflicts" means something."""
    async with two_replicas(database_url, tmp_path, "", api, []) as replicas:
        await eventually(lambda: api.conflicts >= 1 and api.polled_by() == set(replicas), "both poll, clashing")
        assert all(channel.poller_lease is None for channel in replicas.values())


async def test_an_update_fetched_again_is_answered_once_and_the_start_tip_said_once(
    api, sessions, database_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """A poller that died before confirming an update leaves it to its successor, which fetches it again."""
    received: list[str] = []
    async with rasa_echoing(received) as rasa_url, replica("alone", database_url, tmp_path, "", api, rasa_url):
        start = api.push(api.text_update(9501, "/start"))
        await eventually(lambda: len(api.sent("sendMessage", 9501)) >= 2, "the tip and the answer")
        api.push(start)  # the same update, same update_id
        api.push(api.text_update(9501, "and then?"))
        # Updates are handled in order and a chat's messages sent in order: a repeat would come before this.
        await eventually(lambda: "re: and then?" in texts(api, 9501), "the next update answered")
        said = texts(api, 9501)
        assert len(said) == 3 and "share your phone number" in said[0], said
        # /start is a greeting, sent with the conversation's language (Telegram's language_code: en).
        assert said[1:] == ['re: /greet{"language":"en"}', "re: and then?"]
        assert received == ['/greet{"language":"en"}', "and then?"]


async def test_a_replica_that_takes_the_lease_while_telegram_is_away_says_so_and_polls_once_it_is_back(
    api, sessions, database_url, own_redis, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    received: list[str] = []
    async with rasa_echoing(received) as rasa_url:
        api.begin_outage("deleteWebhook")  # polling starts with deleteWebhook: it fails, the lease is let go
        async with replica("a", database_url, tmp_path, own_redis.url, api, rasa_url) as a:
            await eventually(lambda: a.state.startswith("unreachable, retrying ("), "the failure reported")
            assert a.poller_lease is not None and not a.poller_lease.held
            api.end_outage()
            await eventually(lambda: a.state == "up", "polling once Telegram answers")
            api.push(api.text_update(9601, "back?"))
            await eventually(lambda: bool(api.sent("sendMessage", 9601)), "the update answered")
            assert texts(api, 9601) == ["re: back?"]
