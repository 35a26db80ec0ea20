"""Limits kept in Redis: replicas share one count, and a Redis outage lets people in (and says so) rather than
locking every customer and agent out."""

from __future__ import annotations

import uuid

import aiohttp

from handoff.channels.web.client import ChatClient
from tests.handoff.gateway import Gateway, add_staff, attempt, running_gateway
from tests.redis_server import RedisServer
from tests.staff_client import PASSWORD

# Every simulated person comes from 127.0.0.1, and the machine's Redis outlives the test run: only the
# per-account rule is under test, so the per-address one is set out of reach.
OUT_OF_REACH = "100000/minute"


async def limits_state(gateway: Gateway) -> str:
    async with aiohttp.ClientSession() as http, http.get(gateway.url("/readyz")) as response:
        return str((await response.json())["limits"])


async def test_two_replicas_sharing_redis_count_one_account_together(
    sessions, database_url, tmp_path, redis_url
) -> None:  # type: ignore[no-untyped-def]
    username = f"alex{uuid.uuid4().hex[:8]}"  # the machine's Redis keeps earlier runs' counts
    await add_staff(sessions, username)
    limits = {
        "rate_limit_storage": redis_url,
        "login_limit_per_account": "3/minute",
        "login_limit_per_address": OUT_OF_REACH,
    }
    async with (
        running_gateway(database_url, tmp_path / "a", **limits) as first,
        running_gateway(database_url, tmp_path / "b", **limits) as second,
    ):
        for gateway in (first, second, first):
            assert (await attempt(gateway, username, "guess")).status == 200
        for gateway in (second, first):
            limited = await attempt(gateway, username, PASSWORD)
            assert limited.status == 429, "three wrong passwords across the replicas fill the one window"
            assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert await limits_state(first) == "counting"


async def test_a_redis_outage_lets_people_in_uncounted_and_counting_resumes_when_it_returns(
    sessions, database_url, tmp_path, own_redis: RedisServer
) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "alex")
    limits = {
        "rate_limit_storage": own_redis.url,
        "login_limit_per_account": "2/minute",
        "login_limit_per_address": OUT_OF_REACH,
    }
    async with running_gateway(database_url, tmp_path, **limits) as gateway:
        own_redis.stop()
        for _ in range(4):
            wrong = await attempt(gateway, "alex", "guess")
            assert wrong.status == 200 and "Wrong username or password" in await wrong.text()
        assert (await attempt(gateway, "alex", PASSWORD)).status == 302, "an agent still signs in"
        assert (await limits_state(gateway)).startswith("not counting: storage unreachable")

        async with aiohttp.ClientSession() as http:
            client = ChatClient(http, gateway.base_url)
            assert (await client.connect())["type"] == "welcome"
            await client.send_raw({"type": "message", "client_id": uuid.uuid4().hex, "text": "still there?"})
            while not ((frame := await client.receive(timeout=20))["type"] == "message" and frame["sender"] == "bot"):
                assert frame["type"] != "error", frame
            assert frame["text"] == "re: still there?", "a customer is answered while Redis is down"

        own_redis.start()
        for _ in range(2):
            assert (await attempt(gateway, "alex", "guess")).status == 200
        assert (await attempt(gateway, "alex", "guess")).status == 429, "counting resumed with Redis back"
        assert await limits_state(gateway) == "counting"
