"""Every page of a real gateway carries a CSP without inline script, and websockets only to the gateway itself."""

from __future__ import annotations

import re

import aiohttp

from handoff.channels.web.shop import STATIC_DIR
from tests.handoff.gateway import add_staff, cookie_session, running_gateway
from tests.staff_client import Agent


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_the_shop_page_has_no_inline_script_or_style() -> None:
    page = (STATIC_DIR / "shop.html").read_text(encoding="utf-8")
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page)), "every script is a file"
    assert "<style" not in page and not re.search(r"\son[a-z]+=", page) and "javascript:" not in page


async def test_every_page_carries_a_policy_and_only_socket_pages_may_connect_to_our_own_socket(
    sessions, database_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "alex")
    async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as http:
        host = gateway.server.host + ":" + str(gateway.server.port)
        policies = {}
        for signed_in, paths in (
            (False, ("/", "/console/login", "/static/widget.js")),
            (True, ("/console/", "/console/api/me")),
        ):
            if signed_in:
                await Agent(http, gateway.base_url).login("alex")
            for path in paths:
                async with http.get(gateway.url(path), allow_redirects=False) as response:
                    assert response.status == 200, path
                    policies[path] = directives(response.headers["Content-Security-Policy"])
        for path, policy in policies.items():
            assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"], path
            assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"], path
        for path in ("/", "/console/"):
            assert policies[path]["connect-src"] == ["'self'", f"ws://{host}", f"wss://{host}"], path
        for path in ("/console/login", "/static/widget.js", "/console/api/me"):
            assert policies[path]["connect-src"] == ["'self'"], path


async def test_a_host_header_cannot_add_to_the_policy(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        response = await http.get(gateway.url("/"), headers={"Host": "x; script-src *"})
        policy = directives(response.headers["Content-Security-Policy"])
        response.release()
    assert policy["script-src"] == ["'self'"] and policy["connect-src"] == ["'self'"]
