"""A signed-in write with an X-CSRF-Token header that is not ASCII is refused as a wrong token, not a 500."""

from __future__ import annotations

import asyncio

from tests.handoff.gateway import Gateway, add_staff, cookie_session, running_gateway
from tests.staff_client import Agent


async def test_a_csrf_header_that_is_not_ascii_is_a_wrong_token(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "alex")
    async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as http:
        agent = Agent(http, gateway.base_url)
        assert (await agent.login("alex")).status == 302
        # The gateway reads it as the text "jeton-été", which compare_digest refused with a TypeError (a 500).
        agent.csrf = "jeton-\u00e9t\u00e9"
        status, body = await agent.post("/tickets/1/typing", {"on": True})
        assert (status, body["error"]) == (403, "csrf_failed")


async def _raw_request(gateway: Gateway, head: bytes) -> bytes:
    """Bytes no HTTP client library would send: a header that is not UTF-8."""
    reader, writer = await asyncio.open_connection(gateway.server.host, gateway.server.port)
    try:
        writer.write(head + b"Connection: close\r\n\r\n")
        await writer.drain()
        return await reader.read()
    finally:
        writer.close()


async def test_a_csrf_header_that_is_not_utf8_is_a_wrong_token(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "alex")
    async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as http:
        assert (await Agent(http, gateway.base_url).login("alex")).status == 302
        session = http.cookie_jar.filter_cookies(gateway.server.make_url("/"))["deskbot_session"].value
        answer = await _raw_request(
            gateway,
            b"POST /console/api/tickets/1/typing HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
            + f"Cookie: deskbot_session={session}\r\n".encode()
            + b"X-CSRF-Token: \xff\xfe\r\n",
        )
        assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
        assert b'"csrf_failed"' in answer
