"""Test-side clients: an agent's console session over HTTP, and waiting for a customer's next frame."""

from __future__ import annotations

import asyncio
import re

import aiohttp

from handoff.channels.web.client import ChatClient

PASSWORD = "correct-horse-battery"


class Agent:
    """An agent's browser session: cookie jar, CSRF token, and the console API."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http = http
        self.base_url = base_url
        self.csrf = ""

    async def login(self, username: str, password: str = PASSWORD) -> aiohttp.ClientResponse:
        async with self.http.get(f"{self.base_url}/console/login") as page:
            token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)  # type: ignore[union-attr]
        response = await self.http.post(
            f"{self.base_url}/console/login",
            data={"username": username, "password": password, "csrf_token": token},
            allow_redirects=False,
        )
        if response.status == 302:
            async with self.http.get(f"{self.base_url}/console/") as queue_page:
                self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', await queue_page.text()).group(1)  # type: ignore[union-attr]
        return response

    async def get(self, path: str) -> tuple[int, dict]:
        async with self.http.get(f"{self.base_url}/console/api{path}") as response:
            return response.status, await response.json()

    async def post(self, path: str, body: dict | None = None, *, csrf: bool = True) -> tuple[int, dict]:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        async with self.http.post(f"{self.base_url}/console/api{path}", json=body or {}, headers=headers) as response:
            return response.status, await response.json()


async def next_frame(customer: ChatClient, predicate, timeout: float = 30) -> dict:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        frame = await customer.receive(timeout=max(0.1, deadline - asyncio.get_running_loop().time()))
        if predicate(frame):
            return frame
