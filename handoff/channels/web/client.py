"""A customer's side of the web chat: the widget's protocol over a real websocket.

    hello -> welcome (session id, history); message frames; the bot's replies
    arrive as message frames between its "typing on" and "typing off".

Used by the end-to-end tests and by ``bench.chat``, so both speak to the
gateway exactly as the widget does.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import aiohttp

REPLY_TIMEOUT_S = 60
WELCOME_TIMEOUT_S = 30


class ChatClosed(ConnectionError):
    """The gateway closed the websocket (or it broke) while the client waited for a frame."""


class ChatClient:
    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http = http
        self.base_url = base_url
        self.socket: aiohttp.ClientWebSocketResponse | None = None
        self.session_id: str | None = None
        self.history: list[dict[str, Any]] = []

    def _open_socket(self) -> aiohttp.ClientWebSocketResponse:
        if self.socket is None:
            raise ChatClosed("not connected: call connect() first")
        return self.socket

    async def connect(self, customer_token: str | None = None, session_id: str | None = None) -> dict[str, Any]:
        """Open the websocket and say hello; returns the welcome (or the error frame that refused it)."""
        self.socket = await self.http.ws_connect(f"{self.base_url}/ws/chat")
        await self.socket.send_json({"type": "hello", "session_id": session_id, "customer_token": customer_token})
        welcome = await self.receive(timeout=WELCOME_TIMEOUT_S)
        if welcome.get("type") == "welcome":
            self.session_id = welcome["session_id"]
            self.history = welcome["history"]
        return welcome

    async def send_raw(self, frame: Any) -> None:
        socket = self._open_socket()
        if isinstance(frame, str):
            await socket.send_str(frame)
        else:
            await socket.send_json(frame)

    async def receive(self, timeout: float = REPLY_TIMEOUT_S) -> dict[str, Any]:
        """The next frame; asyncio.TimeoutError when none comes in time, ChatClosed when the socket ends.

        The deadline covers the whole wait: aiohttp's own receive timeout starts again after every ping
        the gateway sends (every 25 s), so a wait longer than that would never end on its own.
        """
        incoming = await asyncio.wait_for(self._open_socket().receive(), timeout)
        if incoming.type != aiohttp.WSMsgType.TEXT:
            raise ChatClosed(f"websocket ended while waiting for a frame ({incoming.type.name})")
        frame = json.loads(incoming.data)
        if not isinstance(frame, dict):
            raise ChatClosed(f"the gateway sent a frame that is not a JSON object: {incoming.data[:80]!r}")
        return frame

    async def say(
        self, text: str, payload: str | None = None, timeout: float = REPLY_TIMEOUT_S
    ) -> list[dict[str, Any]]:
        """Send a message and return the replies to it (everything up to the bot's 'typing off').

        An error frame ends the wait and is returned as the last reply. ``timeout`` bounds the wait
        for each frame, so a reply that never comes raises asyncio.TimeoutError.
        """
        await self.send_raw({"type": "message", "client_id": uuid.uuid4().hex, "text": text, "payload": payload})
        replies: list[dict[str, Any]] = []
        typing_seen = False
        while True:
            frame = await self.receive(timeout)
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
        """Press the first button whose title contains ``title_part`` (LookupError when there is none)."""
        for reply in replies:
            for button in reply.get("buttons") or []:
                if title_part.lower() in button["title"].lower():
                    return await self.say(button["title"], payload=button["payload"])
        raise LookupError(f"no button containing {title_part!r} in {[r.get('buttons') for r in replies]}")

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


__all__ = ["REPLY_TIMEOUT_S", "ChatClient", "ChatClosed", "texts"]
