"""Talking to Rasa's gateway channel (bound to 127.0.0.1) with a timeout and clear errors.

Every message is signed with the internal secret (bot/signing.py), and so is the customer's identity in
its metadata: Rasa's channel refuses an unsigned message, and the actions an unsigned identity.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

import aiohttp

from bot.signing import SIGNATURE_HEADER, sign, sign_identity
from handoff.errors import BotUnavailable

REPLY_TIMEOUT_S = 30
# How long an answer from the action server's health check is trusted before a turn. Asking before
# every turn cost a request per message in both processes; a server that dies inside the window is
# still caught, by the check after a turn that got no replies.
ACTIONS_SEEN_UP_FOR_S = 1.0


class BotReply(TypedDict, total=False):
    text: str
    buttons: list[dict[str, str]]
    custom: dict[str, Any]
    image: str


class ParsedIntent(TypedDict):
    name: str
    confidence: float


# Told of every turn: seconds the webhook took (None when Rasa was not asked), the replies (None: unavailable).
TurnObserver = Callable[[float | None, list[BotReply] | None], None]


@dataclass
class _Timing:
    seconds: float | None = None


def _ignore_turn(seconds: float | None, replies: list[BotReply] | None) -> None:
    return None


class RasaClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        base_url: str,
        token: str,
        *,
        secret: str = "",
        actions_health_url: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.secret = secret
        self.actions_health_url = actions_health_url
        self._clock = clock
        self._actions_seen_up_at: float | None = None
        self.observer: TurnObserver = _ignore_turn  # the gateway's metrics set it

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        """The bot's replies; BotUnavailable when Rasa or the action server is down (the message then waits)."""
        timing = _Timing()  # per call: turns of different conversations run concurrently on one client
        try:
            replies = await self._send(sender, text, metadata, timing)
        except BotUnavailable:
            self.observer(timing.seconds, None)
            raise
        self.observer(timing.seconds, replies)
        return replies

    async def _send(self, sender: str, text: str, metadata: dict[str, Any], timing: _Timing) -> list[BotReply]:
        """``send`` without the observer; the webhook's round trip goes into ``timing``.

        Rasa answers a turn whose action server is down with no replies, as if the bot had nothing to
        say; asking the action server first keeps such a message unanswered instead of lost.
        """
        if not self._actions_recently_up() and not await self.actions_healthy():
            raise BotUnavailable(f"the action server at {self.actions_health_url} does not answer")
        url = f"{self.base_url}/webhooks/gateway/webhook"
        body = json.dumps(
            {"sender": sender, "message": text, "metadata": sign_identity(self.secret, metadata)}
        ).encode()
        started = time.perf_counter()
        try:
            async with self.http.post(
                url,
                data=body,
                headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, "channel", body)},
                timeout=aiohttp.ClientTimeout(total=REPLY_TIMEOUT_S),
            ) as response:
                if response.status != 200:
                    raise BotUnavailable(f"Rasa answered HTTP {response.status} at {url}")
                replies = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise BotUnavailable(f"cannot reach Rasa at {url}: {error.__class__.__name__}") from error
        finally:
            timing.seconds = time.perf_counter() - started
        if not isinstance(replies, list):
            raise BotUnavailable("Rasa answered with something other than a list of messages")
        if not replies and not await self.actions_healthy():
            raise BotUnavailable(f"the action server at {self.actions_health_url} stopped during the turn")
        return [_clean(reply) for reply in replies if isinstance(reply, dict)]

    async def tracker(self, sender: str, timeout: float = 5) -> dict[str, Any] | None:
        """The conversation's tracker from Rasa's HTTP API (token-protected), or None if unavailable."""
        try:
            async with self.http.get(
                f"{self.base_url}/conversations/{sender}/tracker",
                params={"token": self.token},
                timeout=aiohttp.ClientTimeout(total=timeout),
            ) as response:
                if response.status != 200:
                    return None
                body = await response.json()
                return body if isinstance(body, dict) else None
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return None

    async def parse(self, text: str) -> ParsedIntent | None:
        """How the running model reads a text (Rasa's token-protected /model/parse; no tracker is touched).

        None when Rasa cannot say: the callers report "unknown" rather than fail an approval or a retrain.
        """
        try:
            async with self.http.post(
                f"{self.base_url}/model/parse",
                params={"token": self.token},
                json={"text": text},
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                if response.status != 200:
                    return None
                intent = (await response.json()).get("intent") or {}
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, AttributeError):
            return None
        if not isinstance(intent, dict) or not isinstance(intent.get("name"), str):
            return None
        return {"name": intent["name"], "confidence": round(float(intent.get("confidence") or 0.0), 4)}

    def _actions_recently_up(self) -> bool:
        seen = self._actions_seen_up_at
        return seen is not None and self._clock() - seen < ACTIONS_SEEN_UP_FOR_S

    async def actions_healthy(self) -> bool:
        """Asks the action server now (never from memory); a yes is remembered for the next turns."""
        if self.actions_health_url is None:
            return True
        try:
            async with self.http.get(self.actions_health_url, timeout=aiohttp.ClientTimeout(total=3)) as response:
                up = response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            up = False
        self._actions_seen_up_at = self._clock() if up else None
        return up

    async def healthy(self) -> bool:
        try:
            async with self.http.get(
                f"{self.base_url}/status", params={"token": self.token}, timeout=aiohttp.ClientTimeout(total=3)
            ) as response:
                if response.status != 200:
                    return False
                body = await response.json()
                return bool(body.get("model_file"))
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return False


def _clean(reply: dict[str, Any]) -> BotReply:
    cleaned: BotReply = {}
    if isinstance(reply.get("text"), str):
        cleaned["text"] = reply["text"]
    buttons = reply.get("buttons")
    if isinstance(buttons, list):
        cleaned["buttons"] = [
            {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
            for button in buttons
            if isinstance(button, dict)
        ]
    if isinstance(reply.get("custom"), dict):
        cleaned["custom"] = reply["custom"]
    return cleaned
