"""A customer's side of the web chat (handoff.channels.web.client, shared with bench.chat) and a polling helper."""

from __future__ import annotations

import asyncio

from handoff.channels.web.client import ChatClient, texts

__all__ = ["ChatClient", "texts", "wait_for"]


async def wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.2)
