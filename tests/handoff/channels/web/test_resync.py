"""After events were lost (Redis unreachable), a customer's open socket catches up from what is stored.

Another replica's reply, stored while the event bus was down, never arrives as an event; when the bus
comes back the hub tells every subscriber to resync, and the socket sends what was stored since the last
message it sent, once.
"""

from __future__ import annotations

import aiohttp

from crm_store.db import unit_of_work
from crm_store.repositories import ConversationRepository
from handoff.channels.web.client import ChatClient
from handoff.keys import HUB
from tests.handoff.channels.web.test_chat_limits import bot_reply, connected, next_of, send
from tests.handoff.gateway import running_gateway


async def test_a_reply_stored_elsewhere_while_events_were_lost_reaches_the_open_socket_on_resync(
    sessions, database_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        customer = await connected(http, gateway)
        await send(customer, "where is my parcel")
        assert (await next_of(customer, bot_reply))["text"] == "re: where is my parcel"
        assert customer.session_id is not None

        async with unit_of_work(sessions) as session:  # as a replica cut off from Redis would: stored, no event
            conversations = ConversationRepository(session)
            conversation = await conversations.get(customer.session_id)
            assert conversation is not None
            missed = await conversations.add_message(conversation, "agent", "It left the warehouse today")
        gateway.server.app[HUB].resync()

        caught_up = await next_of(customer, lambda frame: frame.get("type") == "message")
        assert (caught_up["id"], caught_up["text"]) == (missed.id, "It left the warehouse today")

        gateway.server.app[HUB].resync()  # a second resync has nothing new to send
        await send(customer, "thanks")
        after = await next_of(customer, lambda frame: frame.get("type") == "message")
        assert after["sender"] == "customer" and after["text"] == "thanks", "the agent's message came twice"


async def test_a_resync_before_the_first_message_sends_nothing(database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        customer: ChatClient = await connected(http, gateway)
        gateway.server.app[HUB].resync()
        await send(customer, "hello")
        first = await next_of(customer, lambda frame: frame.get("type") == "message")
        assert first["sender"] == "customer" and first["text"] == "hello"
