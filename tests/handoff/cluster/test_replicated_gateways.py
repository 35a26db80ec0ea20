"""Two real gateways (``create_app``) on one database and one Redis, as two replicas behind a load balancer:
a customer on one and an agent on the other chat live, and the agent's console counts on both."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from handoff.channels.web.client import ChatClient
from handoff.keys import DESK
from tests.handoff.cluster.replicas import GENEROUS_S, wait_until
from tests.handoff.gateway import Gateway, add_staff, cookie_session, running_gateway
from tests.redis_server import RedisServer
from tests.staff_client import Agent


async def next_frame(customer: ChatClient, wanted: Callable[[dict], bool]) -> dict:
    """The next frame ``wanted`` accepts, within one overall deadline.

    (A per-receive timeout never fires here: the gateway pings every 25 s and aiohttp restarts the
    receive's timeout after answering each ping.)
    """

    async def first_wanted() -> dict:
        while not wanted(frame := await customer.receive(timeout=GENEROUS_S)):
            pass
        return frame

    return await asyncio.wait_for(first_wanted(), GENEROUS_S)


@asynccontextmanager
async def two_gateways(database_url: str, tmp_path: Path, redis_url: str) -> AsyncIterator[tuple[Gateway, Gateway]]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    async with (
        running_gateway(database_url, tmp_path / "a", redis_url=redis_url) as a,
        running_gateway(database_url, tmp_path / "b", redis_url=redis_url) as b,
    ):
        yield a, b


@asynccontextmanager
async def signed_in(gateway: Gateway, username: str) -> AsyncIterator[Agent]:
    async with cookie_session() as http:
        agent = Agent(http, gateway.base_url)
        assert (await agent.login(username)).status == 302
        yield agent


async def test_a_customer_on_one_replica_chats_live_with_an_agent_on_the_other(
    sessions, database_url, tmp_path, own_redis: RedisServer
) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "kim")
    async with (
        two_gateways(database_url, tmp_path, own_redis.url) as (a, b),
        aiohttp.ClientSession() as http,
        signed_in(b, "kim") as kim,
    ):
        customer = ChatClient(http, a.base_url)
        assert (await customer.connect())["type"] == "welcome"
        await customer.send_raw({"type": "message", "client_id": uuid.uuid4().hex, "text": "where is my parcel?"})
        await next_frame(customer, lambda f: f.get("sender") == "bot" and f.get("type") == "message")
        assert customer.session_id is not None
        # What the desk does when the bot signals that the customer asked for a person.
        await a.server.app[DESK].escalate(customer.session_id, "asked_for_agent", tier=None)

        status, queue = await kim.get("/queue")
        assert status == 200 and len(queue["tickets"]) == 1
        ticket_id = queue["tickets"][0]["id"]
        assert (await kim.post(f"/tickets/{ticket_id}/claim"))[0] == 200
        assert (await kim.post(f"/tickets/{ticket_id}/typing", {"on": True}))[0] == 200
        typing = await next_frame(customer, lambda f: f.get("type") == "typing" and f.get("sender") == "agent")
        assert typing["on"] is True and typing["name"] == "Kim"

        status, sent = await kim.post(f"/tickets/{ticket_id}/messages", {"text": "Hi, Kim here. Let me look."})
        assert status == 200
        reply = await next_frame(customer, lambda f: f.get("type") == "message" and f.get("sender") == "agent")
        assert reply == {**sent["message"], "type": "message"}
        await kim.post(f"/tickets/{ticket_id}/typing", {"on": False})
        after = await next_frame(customer, lambda f: f.get("type") in ("message", "typing"))
        assert after["type"] == "typing" and after["on"] is False, f"the agent's message came twice: {after}"


async def test_an_agent_with_the_console_open_on_one_replica_is_online_on_the_other(
    sessions, database_url, tmp_path, own_redis: RedisServer
) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "kim")
    await add_staff(sessions, "lee")
    async with (
        two_gateways(database_url, tmp_path, own_redis.url) as (a, b),
        signed_in(b, "kim") as kim,
        signed_in(a, "lee") as lee,
    ):

        async def kim_online_for_lee() -> bool:
            _, body = await lee.get("/agents")
            return any(colleague["online"] for colleague in body["agents"] if colleague["display_name"] == "Kim")

        assert not await kim_online_for_lee()
        console = await kim.http.ws_connect(f"{b.base_url}/console/ws")
        await wait_until(kim_online_for_lee, "Kim's console on replica B counts on replica A")
        await console.close()

        async def kim_offline_for_lee() -> bool:
            return not await kim_online_for_lee()

        await wait_until(kim_offline_for_lee, "closing the console takes Kim offline on replica A")


async def test_readiness_reports_the_shared_redis_without_depending_on_it(
    sessions, database_url, tmp_path, own_redis: RedisServer
) -> None:  # type: ignore[no-untyped-def]
    async with two_gateways(database_url, tmp_path, own_redis.url) as (a, _), aiohttp.ClientSession() as http:

        async def readiness() -> dict:
            async with http.get(a.url("/readyz")) as response:
                return dict(await response.json())

        ready = await readiness()
        assert (ready["events"], ready["presence"]) == ("connected", "connected")
        own_redis.stop()

        async def events_report_the_outage() -> bool:
            return str((await readiness())["events"]).startswith("unreachable (")

        await wait_until(events_report_the_outage, "readiness names the lost Redis")
        down = await readiness()
        # The stand-in Rasa does not parse, so the gateway is not ready for that reason only: never for Redis.
        assert set(down["not_ready"]) <= {"rasa", "action_server", "embedding_model"}
