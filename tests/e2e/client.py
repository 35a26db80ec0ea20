"""A customer's side of the web chat, speaking the widget's protocol over a real websocket."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import aiohttp

REPLY_TIMEOUT_S = 60


class ChatClient:
    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http = http
        self.base_url = base_url
        self.socket: aiohttp.ClientWebSocketResponse | None = None
        self.session_id: str | None = None
        self.history: list[dict[str, Any]] = []

    async def connect(self, customer_token: str | None = None, session_id: str | None = None) -> dict[str, Any]:
        self.socket = await self.http.ws_connect(f"{self.base_url}/ws/chat")
        await self.socket.send_json({"type": "hello", "session_id": session_id, "customer_token": customer_token})
        welcome = await self.socket.receive_json(timeout=30)
        if welcome.get("type") == "welcome":
            self.session_id = welcome["session_id"]
            self.history = welcome["history"]
        return welcome

    async def send_raw(self, frame: Any) -> None:
        assert self.socket is not None
        if isinstance(frame, str):
            await self.socket.send_str(frame)
        else:
            await self.socket.send_json(frame)

    async def receive(self, timeout: float = REPLY_TIMEOUT_S) -> dict[str, Any]:
        assert self.socket is not None
        return await self.socket.receive_json(timeout=timeout)

    async def say(self, text: str, payload: str | None = None) -> list[dict[str, Any]]:
        """Send a message and return the replies to it (everything up to the bot's 'typing off')."""
        await self.send_raw({"type": "message", "client_id": uuid.uuid4().hex, "text": text, "payload": payload})
        replies: list[dict[str, Any]] = []
        typing_seen = False
        while True:
            frame = await self.receive()
            if frame["type"] == "typing" and frame.get("sender") == "bot":
                typing_seen = typing_seen or frame["on"]
                if not frame["on"] and typing_seen:
                    return replies
            elif frame["type"] == "message" and frame["sender"] != "customer":
                replies.append(frame)
            elif frame["type"] == "error":
                replies.append(frame)
                return replies

    async def click(self, replies: list[dict[str, Any]], title_part: str) -> list[dict[str, Any]]:
        for reply in replies:
            for button in reply.get("buttons") or []:
                if title_part.lower() in button["title"].lower():
                    return await self.say(button["title"], payload=button["payload"])
        raise AssertionError(f"no button containing {title_part!r} in {[r.get('buttons') for r in replies]}")

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


async def wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.2)
