"""The sign-in form's body: what a browser's form posts is read; anything else is a 400 saying why, never a 500."""

from __future__ import annotations

import re

import pytest

from tests.handoff.gateway import cookie_session, running_gateway

# The first was found by schemathesis (tests/e2e/test_api_schema.py): aiohttp's form reader raised inside
# the view on multipart without a boundary, and on a broken part, a 500 "Server got itself in trouble".
NOT_A_FORM = [
    ("multipart/form-data", b"username=ada&password=x&csrf_token=y"),
    ("multipart/form-data; boundary=zzz", b"--zzz\r\nnot a part header\r\n"),
    ("application/x-www-form-urlencoded", b"username=\xff\xfe&password=x&csrf_token=y"),  # not UTF-8
    ("application/x-www-form-urlencoded; charset=no-such-charset", b"username=ada"),
    ("application/json", b'{"username": "ada"}'),
]


@pytest.mark.parametrize(("content_type", "body"), NOT_A_FORM)
async def test_a_body_that_is_not_a_readable_form_is_a_400(
    sessions, database_url, tmp_path, content_type, body
) -> None:  # type: ignore[no-untyped-def]
    async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as http:
        async with http.get(gateway.url("/console/login")) as page:
            await page.text()
        response = await http.post(
            gateway.url("/console/login"), data=body, headers={"Content-Type": content_type}, allow_redirects=False
        )
        assert response.status == 400, await response.text()
        assert (await response.json())["error"] == "invalid_message"


async def test_a_csrf_token_that_is_not_ascii_is_an_expired_form(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """compare_digest raises TypeError on non-ASCII text: a browser holding the form's cookie got a 500."""
    async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as http:
        async with http.get(gateway.url("/console/login")) as page:
            assert re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
        response = await http.post(
            gateway.url("/console/login"),
            data={"username": "ada", "password": "x", "csrf_token": "jeton-\u00e9t\u00e9"},
            allow_redirects=False,
        )
        assert response.status == 200 and "Your session expired" in await response.text()
