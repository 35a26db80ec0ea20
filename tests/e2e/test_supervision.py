"""A part of the bot dies during a conversation: the gateway stays up, the message waits and is answered.

Real processes: the shared product's action server and Rasa server are killed with SIGKILL, or the
action server is stopped (SIGSTOP: running, answering nothing), and the supervisor (running in the
background, as under ``deskbot run``) brings them back. Every wait
is for a condition, never a fixed time.
"""

from __future__ import annotations

import contextlib
import os
import signal

import aiohttp

from handoff.notices import BOT_UNAVAILABLE_TEXT
from handoff.ops.launch import RunningProduct
from handoff.ops.stack import Service, Stack
from tests.e2e.client import ChatClient, texts, wait_for

QUESTION = "how long does it take to get my money back after a return?"
ANSWER = "5-10 business days"
READINESS_NAME = {"action server": "action_server", "Rasa server": "rasa"}
RESTART_WAIT_S = 180.0  # a generous bound for a busy CI machine; the wait ends as soon as the answer comes


def _service(stack: Stack, name: str) -> Service:
    return next(service for service in stack.services if service.name == name)


async def _readiness(http: aiohttp.ClientSession, product: RunningProduct) -> tuple[int, dict]:  # type: ignore[type-arg]
    async with http.get(f"{product.base_url}/readyz") as response:
        return response.status, await response.json()


async def _kill_and_ask(
    part: str, customer: ChatClient, http: aiohttp.ClientSession, product: RunningProduct, stack: Stack
) -> None:
    service = _service(stack, part)
    assert service.process is not None
    killed_pid = service.process.pid
    os.killpg(killed_pid, signal.SIGKILL)

    async def not_ready() -> bool:
        status, body = await _readiness(http, product)
        return status == 503 and READINESS_NAME[part] in body["not_ready"]

    await wait_for(not_ready, timeout=30)
    async with http.get(f"{product.base_url}/livez") as alive:
        assert alive.status == 200, "the gateway stays up"

    await customer.send_raw({"type": "message", "client_id": f"while-{part}-down".replace(" ", "-"), "text": QUESTION})
    frames: list[dict] = []  # type: ignore[type-arg]
    while not any(ANSWER in (frame.get("text") or "") for frame in frames):
        frames.append(await customer.receive(timeout=RESTART_WAIT_S))
    said = [frame.get("text") for frame in frames if frame.get("type") == "message" and frame["sender"] != "customer"]
    assert said.count(BOT_UNAVAILABLE_TEXT) == 1, "the customer is told to wait, once"
    assert sum(ANSWER in (text or "") for text in said) == 1, "answered once"
    assert service.process is not None and service.process.pid != killed_pid, "the supervisor restarted it"

    async def ready() -> bool:
        return (await _readiness(http, product))[0] == 200

    await wait_for(ready, timeout=60)


async def test_the_action_server_then_rasa_die_and_waiting_messages_are_answered(
    customer: ChatClient, http: aiohttp.ClientSession, product: RunningProduct, product_stack: Stack
) -> None:
    status, body = await _readiness(http, product)
    assert status == 200 and body["not_ready"] == [], body
    await customer.connect()
    assert ANSWER in texts(await customer.say(QUESTION))

    await _kill_and_ask("action server", customer, http, product, product_stack)
    await _kill_and_ask("Rasa server", customer, http, product, product_stack)


async def test_a_hung_action_server_is_killed_and_restarted_and_the_waiting_message_answered(
    customer: ChatClient, http: aiohttp.ClientSession, product: RunningProduct, product_stack: Stack
) -> None:
    async def ready() -> bool:
        return (await _readiness(http, product))[0] == 200

    await wait_for(ready, timeout=60)
    await customer.connect()
    supervisor = product_stack.background_supervisor
    assert supervisor is not None
    service = _service(product_stack, "action server")
    assert service.process is not None
    hung_pid, default_hang_s = service.process.pid, supervisor.hang_after_s
    supervisor.hang_after_s = 10.0  # the shipped minute, shortened for this test only
    os.killpg(hung_pid, signal.SIGSTOP)  # running but answering nothing, as a deadlock
    try:
        await customer.send_raw({"type": "message", "client_id": "while-hung", "text": QUESTION})
        frames: list[dict] = []  # type: ignore[type-arg]
        while not any(ANSWER in (frame.get("text") or "") for frame in frames):
            frames.append(await customer.receive(timeout=RESTART_WAIT_S))
    finally:
        supervisor.hang_after_s = default_hang_s
        if service.process is not None and service.process.pid == hung_pid:
            with contextlib.suppress(ProcessLookupError):  # the test failed before the restart: leave it running
                os.killpg(hung_pid, signal.SIGCONT)
    assert service.process is not None and service.process.pid != hung_pid, "killed for hanging and restarted"
    said = [frame.get("text") for frame in frames if frame.get("type") == "message" and frame["sender"] != "customer"]
    assert sum(ANSWER in (text or "") for text in said) == 1, "answered once"
    await wait_for(ready, timeout=60)
