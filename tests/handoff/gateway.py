"""A real gateway (``create_app``) on a loopback port, with a stand-in Rasa that echoes, on the test's database.

    async with running_gateway(sessions, database_url, tmp_path, login_limit_per_account="2/minute") as gw:
        await gw.http.get(gw.url("/console/login"))

Keyword arguments are settings, so each test states the limits it is about.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from crm_store.settings import StoreSettings
from handoff.app import create_app
from handoff.settings import Settings
from handoff.staff.accounts import add_user
from tests.staff_client import PASSWORD


@dataclass
class Gateway:
    server: TestServer
    settings: Settings
    rasa_received: list[str]

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))

    @property
    def base_url(self) -> str:
        return self.url("").rstrip("/")


async def echoing_rasa(received: list[str], prefix: str = "re: ") -> TestServer:
    """A started stand-in for Rasa (and the action server's health check) that answers ``prefix + message``."""

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        received.append(body["message"])
        return web.json_response([{"recipient_id": body["sender"], "text": f"{prefix}{body['message']}"}])

    async def actions_health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    rasa_app = web.Application()
    rasa_app.router.add_post("/webhooks/gateway/webhook", webhook)
    # The gateway asks the action server before each turn; the stand-in answers for it too.
    rasa_app.router.add_get("/health", actions_health)
    rasa = TestServer(rasa_app, host="127.0.0.1")
    await rasa.start_server()
    return rasa


@asynccontextmanager
async def running_gateway(database_url: str, var_dir: Path, **settings: Any) -> AsyncIterator[Gateway]:
    received: list[str] = []
    rasa = await echoing_rasa(received)
    full = Settings(
        store=StoreSettings(var_dir=var_dir, database_url=database_url),
        rasa_url=str(rasa.make_url("")).rstrip("/"),
        actions_port=rasa.port or 0,
        widget_secret="test-widget-secret-of-32-characters!",
        **settings,
    )
    server = TestServer(create_app(full), host="127.0.0.1")
    await server.start_server()
    try:
        yield Gateway(server, full, received)
    finally:
        await server.close()
        await rasa.close()


async def add_staff(sessions: Any, username: str, role: str = "agent") -> None:
    await add_user(sessions, username, role, username.title(), PASSWORD)


def cookie_session() -> aiohttp.ClientSession:
    """A browser-like client: keeps the loopback gateway's cookies."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def attempt(
    gateway: Gateway, username: str, password: str, headers: dict[str, str] | None = None
) -> aiohttp.ClientResponse:
    """One sign-in from a fresh browser: fetch the form (for its CSRF cookie), then post it."""
    async with cookie_session() as http:
        async with http.get(gateway.url("/console/login")) as page:
            token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)  # type: ignore[union-attr]
        response = await http.post(
            gateway.url("/console/login"),
            data={"username": username, "password": password, "csrf_token": token},
            headers=headers or {},
            allow_redirects=False,
        )
        await response.text()
        return response
