"""The HTTP edge renders every error once, with its code and the right status; never a stack trace."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from crm_store import errors as store
from handoff.desk.state_machine import AlreadyClaimed
from handoff.edge import errors_as_json, id_number, json_object_body
from handoff.errors import ConfigurationError, CsrfFailed, GatewayError, InvalidMessage, NotFound, NotSignedIn

CASES = [
    (InvalidMessage("text is empty"), 400, "invalid_message", "text is empty"),
    (NotSignedIn("sign in first"), 401, "not_signed_in", "sign in first"),
    (CsrfFailed("missing CSRF token"), 403, "csrf_failed", "missing CSRF token"),
    (NotFound("no such ticket"), 404, "not_found", "no such ticket"),
    (store.NotFound("no article 'x'"), 404, "not_found", "no article 'x'"),
    (AlreadyClaimed("someone else took it"), 409, "already_claimed", "someone else took it"),
    (store.Conflict("slug exists"), 409, "conflict", "slug exists"),
    (store.StoreUnavailable("connection refused at db:5432"), 503, "store_unavailable", "the database is unavailable"),
    (store.ConfigError("DATABASE_URL is wrong"), 500, "config_error", "the server is misconfigured"),
    (ConfigurationError("escalation.yml: bad"), 500, "configuration_error", "the server is misconfigured"),
    (GatewayError("something of ours"), 400, "gateway_error", "something of ours"),
]


@pytest.fixture
async def client():  # type: ignore[no-untyped-def]
    errors = {str(index): error for index, (error, *_) in enumerate(CASES)}

    async def fail(request: web.Request) -> web.Response:
        raise errors[request.match_info["case"]]

    async def echo(request: web.Request) -> web.Response:
        return web.json_response(await json_object_body(request, max_bytes=100))

    app = web.Application(middlewares=[errors_as_json])
    app.router.add_get("/fail/{case}", fail)

    async def echo_any_size(request: web.Request) -> web.Response:
        return web.json_response(await json_object_body(request))

    async def session_cookie(request: web.Request) -> web.Response:
        return web.json_response({"session": request.cookies.get("deskbot_session")})

    app.router.add_post("/echo", echo)
    app.router.add_get("/cookie", session_cookie)
    app.router.add_post("/echo-any-size", echo_any_size)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


@pytest.mark.parametrize(("case", "status", "code", "message"), [(i, *c[1:]) for i, c in enumerate(CASES)])
async def test_each_error_has_its_status_code_and_message(client, case, status, code, message) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(f"/fail/{case}")
    body = await response.json()
    assert (response.status, body["error"]) == (status, code)
    assert body["message"].startswith(message)
    assert response.headers["X-Content-Type-Options"] == "nosniff", "error responses carry the security headers"


async def test_a_configuration_error_is_never_called_a_database_outage(client) -> None:  # type: ignore[no-untyped-def]
    config_cases = [i for i, c in enumerate(CASES) if isinstance(c[0], store.ConfigError | ConfigurationError)]
    for case in config_cases:
        body = await (await client.get(f"/fail/{case}")).json()
        assert "database" not in body["message"]
        assert "DATABASE_URL" not in body["message"] and "escalation.yml" not in body["message"], (
            "details go to the log"
        )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json", "body is not JSON"),
        (b"[1, 2]", "body must be a JSON object"),
        (b"{" + b" " * 200 + b"}", "larger"),
    ],
)
async def test_bad_bodies_are_refused_with_a_reason(client, raw: bytes, message: str) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/echo", data=raw, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert message in (await response.json())["message"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        # Each answered 500 on every JSON endpoint (e.g. POST /api/chat/messages) before this check.
        (b'{"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "nested too deeply"),  # json.loads' RecursionError
        (b'{"text": "\\ud800 hello"}', "not valid Unicode"),  # half a surrogate pair: the database refused it
    ],
)
async def test_bodies_no_database_can_take_are_refused_at_the_edge(client, raw: bytes, message: str) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/echo-any-size", data=raw, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert message in (await response.json())["message"]


async def test_a_valid_surrogate_pair_is_ordinary_text(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/echo-any-size", data=b'{"text": "\\ud83d\\ude00"}')
    assert (response.status, await response.json()) == (200, {"text": "\U0001f600"})


async def test_a_malformed_cookie_header_is_not_signed_in_not_a_500(client) -> None:  # type: ignore[no-untyped-def]
    # Found by schemathesis: any console GET with this Cookie header answered 500 (http.cookies.CookieError).
    response = await client.get("/cookie", headers={"Cookie": "deskbot_session=abc; $=x"})
    assert (response.status, (await response.json())["error"]) == (401, "not_signed_in")


@pytest.mark.parametrize("value", [2**63, -1, True, "7", 1.0, None])
def test_an_id_beyond_a_database_integer_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(InvalidMessage, match="agent_id must be a whole number"):
        id_number(value, "agent_id")


def test_an_id_that_fits_is_itself() -> None:
    assert id_number(2**63 - 1, "agent_id") == 2**63 - 1
