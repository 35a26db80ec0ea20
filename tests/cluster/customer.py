"""A web-chat customer that rides out a dying gateway replica, as the widget does.

It sends each message with its own ``client_id`` and waits for the bot's answer to it. When the
websocket breaks (the replica behind nginx was killed) it reconnects through nginx, says hello
with its conversation id, checks the welcome's history, and sends the message again with the same
``client_id``: the gateway stores a message once however often it is sent, so a resend can only
make a lost message arrive, never a second copy. When an open socket stays silent for
``silence_s`` it does the same (a live event can be lost while a replica restarts: Redis pub/sub
keeps nothing), and counts it, so a test can report how often that happened.

Every wait is bounded with ``asyncio.wait_for``: aiohttp's own receive timeout starts again at each
ping the gateway sends, so it would never fire on a live but silent socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from handoff.notices import BOT_UNAVAILABLE_TEXT

ANSWERED_BY = ("bot", "system", "agent")


def client_id(name: str, number: int) -> str:
    """The id of a customer's ``number``-th message (the gateway wants 8-64 letters, digits, '-' or '_')."""
    return f"customer-{name}-{number:04d}"


@dataclass
class Transcript:
    """What the customer saw: reconnections, and whether every welcome's history held what came before."""

    conversation_id: str | None = None
    reconnections: int = 0
    silent_waits: int = 0  # answers found in the history after an open socket stayed silent
    apologies: int = 0
    history_gaps: list[str] = field(default_factory=list)


class ResilientCustomer:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        base_url: str,
        name: str,
        *,
        reply_timeout_s: float = 240,
        silence_s: float = 30,
    ) -> None:
        self.http = http
        self.base_url = base_url
        self.name = name
        self.reply_timeout_s = reply_timeout_s
        self.silence_s = silence_s
        self.transcript = Transcript()
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._seen_ids: set[int] = set()
        self.sent = 0  # message numbers go on across runs

    async def run(self, texts: list[str]) -> Transcript:
        try:
            for text in texts:
                await self._say(client_id(self.name, self.sent), text)
                self.sent += 1
        finally:
            await self._drop_socket()
        return self.transcript

    async def _say(self, client_id: str, text: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.reply_timeout_s
        while loop.time() < deadline:
            try:
                socket = await self._connected()
                if await self._answered_in_history(client_id):
                    return
                await socket.send_json({"type": "message", "client_id": client_id, "text": text})
                await self._wait_for_answer(socket, client_id, min(deadline, loop.time() + self.silence_s))
                return
            except asyncio.TimeoutError:
                self.transcript.silent_waits += 1
                await self._drop_socket()
            except (aiohttp.ClientError, ConnectionError):
                await self._drop_socket()
                await asyncio.sleep(0.2)  # a pause between reconnections, not a synchronisation
        raise AssertionError(f"{self.name}: no answer to {client_id} in {self.reply_timeout_s:g} s")

    async def _connected(self) -> aiohttp.ClientWebSocketResponse:
        if self._socket is not None and not self._socket.closed:
            return self._socket
        if self._seen_ids:
            self.transcript.reconnections += 1
        socket = await asyncio.wait_for(self.http.ws_connect(f"{self.base_url}/ws/chat"), 30)
        await socket.send_json({"type": "hello", "session_id": self.transcript.conversation_id})
        welcome = await self._frame(socket, timeout=30)
        if welcome.get("type") != "welcome":
            await socket.close()
            raise ConnectionError(f"no welcome but {welcome}")
        if self.transcript.conversation_id is None:
            self.transcript.conversation_id = welcome["session_id"]
        elif welcome["session_id"] != self.transcript.conversation_id:
            raise AssertionError(f"{self.name}: reconnected into another conversation {welcome['session_id']}")
        history_ids = {int(item["id"]) for item in welcome["history"]}
        missing = self._seen_ids - history_ids
        if missing:
            self.transcript.history_gaps.append(f"history after reconnecting lacks message ids {sorted(missing)}")
        self._history = welcome["history"]
        self._socket = socket
        return socket

    async def _answered_in_history(self, client_id: str) -> bool:
        """After a reconnection: was the message stored, and answered, while the socket was down?"""
        history: list[dict[str, Any]] = getattr(self, "_history", [])
        mine = [item for item in history if item.get("client_id") == client_id]
        if not mine:
            return False
        answers = [item for item in history if item["id"] > mine[0]["id"] and item["sender"] in ANSWERED_BY]
        self._seen_ids.update(int(item["id"]) for item in history)
        return bool(answers)

    async def _wait_for_answer(self, socket: aiohttp.ClientWebSocketResponse, client_id: str, deadline: float) -> None:
        """Until a bot, agent or system message stored after ours arrives, in whatever order the frames come.

        After a reconnection the answer may come before the echo of our resent message (another replica
        answered it meanwhile and the resend only echoes what was stored), so answers seen before the echo
        count too.
        """
        loop = asyncio.get_running_loop()
        my_id: int | None = None
        answers: dict[int, dict[str, Any]] = {}
        while True:
            frame = await self._frame(socket, timeout=max(0.1, deadline - loop.time()))
            if frame.get("type") == "error":
                raise AssertionError(f"{self.name}: error frame {frame}")
            if frame.get("type") != "message":
                continue
            self._seen_ids.add(int(frame["id"]))
            if frame["sender"] == "customer" and frame.get("client_id") == client_id:
                my_id = int(frame["id"])
            elif frame["sender"] in ANSWERED_BY:
                answers[int(frame["id"])] = frame
            later = [answers[i] for i in sorted(answers) if my_id is not None and i > my_id]
            if later:
                if later[0]["sender"] == "system" and later[0].get("text") == BOT_UNAVAILABLE_TEXT:
                    self.transcript.apologies += 1
                return

    async def _frame(self, socket: aiohttp.ClientWebSocketResponse, timeout: float) -> dict[str, Any]:
        incoming = await asyncio.wait_for(socket.receive(), timeout)
        if incoming.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"websocket ended ({incoming.type.name})")
        frame = json.loads(incoming.data)
        return frame if isinstance(frame, dict) else {}

    async def _drop_socket(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(aiohttp.ClientError, ConnectionError):
                await self._socket.close()
        self._socket = None
