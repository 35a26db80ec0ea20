"""A local stand-in for the Telegram Bot API (aiohttp on loopback), since the real one is out of reach.

It serves getUpdates with real-shaped Update JSON that tests push, records
every call (sendMessage, answerCallbackQuery, …), and can answer 429 with
retry_after on demand. It runs in its own thread so processes started by
the tests (the gateway) can reach it at any time.

Several replicas of one bot: give each its own ``base_url_for(name)`` and the
stand-in records which of them made each getUpdates call (``pollers``). As
Telegram does, a getUpdates from one client ends another client's open long
poll with 409 Conflict ("terminated by other getUpdates request"), counted in
``conflicts``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections import deque
from typing import Any

from aiohttp import web

BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "Harbor & Pine", "username": "harborpine_test_bot"}


class TelegramStandIn:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], float]] = []
        # Pushed updates not yet confirmed, each with the number of its push (a test may push one update twice).
        self._updates: deque[tuple[int, dict[str, Any]]] = deque()
        self._pushes = itertools.count()
        self._delivered: set[int] = set()  # pushes handed to a getUpdates
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._failures: dict[str, deque[int]] = {}
        self._outages: dict[str, int] = {}  # method -> how many more calls answer 502 (a network error to the bot)
        self._down: set[str] = set()  # methods that answer 502 until the test ends the outage
        self.pollers: list[str] = []  # who made each getUpdates call, in order ("" for base_url)
        self.conflicts = 0
        self._open_polls: dict[int, tuple[str, asyncio.Event]] = {}  # per open long poll: client, "terminated"
        self._poll_ids = itertools.count()
        self._lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)

    # Lifecycle -----------------------------------------------------------------------

    def start(self) -> TelegramStandIn:
        ready = threading.Event()
        self._ready = ready
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        # Close open long-polls and connections first, so nothing is left pending when the loop stops.
        asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    async def _shutdown(self) -> None:
        await self._runner.cleanup()
        # A long poll whose client went away (a replica stopped mid-poll) may still be running: end it too.
        rest = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def base_url_for(self, client: str) -> str:
        """The API under a path of the client's own, so the stand-in can tell replicas of one bot apart."""
        return f"http://127.0.0.1:{self.port}/{client}/bot"

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{client}/bot{token}/{method}", self._handle)
        runner = self._runner = web.AppRunner(app)
        self.loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self.loop.run_forever()

    # What tests do ---------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._updates.append((next(self._pushes), update))
        return update

    def wait_fetched(self, timeout: float = 30.0) -> None:
        """Until the bot has fetched and confirmed every pushed update (a getUpdates with a higher offset)."""
        self.wait_for(lambda: [True] if not self._updates else [], timeout)

    def fail_next(self, method: str, retry_after: int, times: int = 1) -> None:
        with self._lock:
            self._failures.setdefault(method, deque()).extend([retry_after] * times)

    def fail_with_bad_gateway(self, method: str, times: int) -> None:
        """The next ``times`` calls of ``method`` answer 502, which python-telegram-bot raises as a NetworkError."""
        with self._lock:
            self._outages[method] = self._outages.get(method, 0) + times

    def begin_outage(self, *methods: str) -> None:
        """Every call of ``methods`` answers 502 until ``end_outage``: Telegram down for as long as the test says."""
        with self._lock:
            self._down.update(methods)

    def end_outage(self) -> None:
        with self._lock:
            self._down.clear()

    def polled_by(self, since: int = 0) -> set[str]:
        """The clients that called getUpdates, from the ``since``-th call on."""
        with self._lock:
            return set(self.pollers[since:])

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                params
                for name, params, _ in self.calls
                if name == method and (chat_id is None or int(params.get("chat_id", 0)) == chat_id)
            ]

    def wait_for(self, predicate, timeout: float = 60.0) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.1)
        raise AssertionError(
            f"the stand-in did not see what the test waited for; calls: {[c[0] for c in self.calls][-20:]}"
        )

    # Update builders (the shapes Telegram sends) --------------------------------------------

    def user(self, user_id: int, first_name: str, language_code: str = "en") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}

    def text_update(
        self,
        user_id: int,
        text: str,
        first_name: str = "Maria",
        update_id: int | None = None,
        language_code: str = "en",
    ) -> dict[str, Any]:
        return {
            "update_id": update_id if update_id is not None else next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": first_name},
                "from": self.user(user_id, first_name, language_code),
                "text": text,
                **(
                    {"entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}
                    if text.startswith("/")
                    else {}
                ),
            },
        }

    def contact_update(
        self, user_id: int, phone: str, first_name: str = "Maria", owner_id: int | None = None
    ) -> dict[str, Any]:
        update = self.text_update(user_id, "", first_name)
        del update["message"]["text"]
        update["message"]["contact"] = {"phone_number": phone, "first_name": first_name, "user_id": owner_id or user_id}
        return update

    def button_update(self, user_id: int, data: str, first_name: str = "Maria") -> dict[str, Any]:
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": f"cbq-{next(self._message_ids)}",
                "from": self.user(user_id, first_name),
                "chat_instance": "42",
                "data": data,
                "message": {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": {"id": user_id, "type": "private", "first_name": first_name},
                    "from": BOT_USER,
                    "text": "(buttons)",
                },
            },
        }

    # The API ---------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            raw = await request.json()
        else:
            raw = dict(await request.post())
        params = {}
        for key, value in raw.items():
            if isinstance(value, str) and value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        client = request.match_info.get("client", "")
        params = await self._params(request)
        with self._lock:
            self.calls.append((method, params, time.monotonic()))
            if method == "getUpdates":
                self.pollers.append(client)
            failures = self._failures.get(method)
            retry_after = failures.popleft() if failures else None
            counted_down = self._outages.get(method, 0) > 0
            if counted_down:
                self._outages[method] -= 1
            down = counted_down or method in self._down
        if down:
            return web.Response(status=502, text="Bad Gateway")
        if retry_after is not None:
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                },
                status=429,
            )
        if method == "getUpdates":
            updates = await self._get_updates(client, params)
            if updates is None:
                return web.json_response(
                    {
                        "ok": False,
                        "error_code": 409,
                        "description": "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    },
                    status=409,
                )
            return web.json_response({"ok": True, "result": updates})
        if method == "getMe":
            return web.json_response({"ok": True, "result": BOT_USER})
        if method == "sendMessage":
            return web.json_response(
                {
                    "ok": True,
                    "result": {
                        "message_id": next(self._message_ids),
                        "date": int(time.time()),
                        "chat": {"id": int(params["chat_id"]), "type": "private"},
                        "from": BOT_USER,
                        "text": params.get("text", ""),
                    },
                }
            )
        return web.json_response({"ok": True, "result": True})

    async def _get_updates(self, client: str, params: dict[str, Any]) -> list[dict[str, Any]] | None:
        """The pushed updates, or None when another client's getUpdates terminated this one (409)."""
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        poll_id, terminated = next(self._poll_ids), asyncio.Event()
        with self._lock:
            for other, other_terminated in self._open_polls.values():
                if other != client:
                    other_terminated.set()
            self._open_polls[poll_id] = (client, terminated)
        try:
            while True:
                with self._lock:
                    if terminated.is_set():
                        self.conflicts += 1
                        return None
                    # As Telegram does: an update stays until a getUpdates with a higher offset confirms it, so
                    # one handed to a poller that died before reading the answer goes to the next poller.
                    offset = int(params.get("offset") or 0)
                    while self._updates and self._updates[0][0] in self._delivered:
                        if self._updates[0][1]["update_id"] >= offset:
                            break
                        self._updates.popleft()  # delivered, and confirmed by this offset
                    if self._updates:
                        self._delivered.update(push for push, _ in self._updates)
                        return [update for _, update in self._updates]
                if time.monotonic() >= deadline:
                    return []
                await asyncio.sleep(0.05)
        finally:
            with self._lock:
                del self._open_polls[poll_id]
