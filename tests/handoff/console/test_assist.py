"""The console's helpers in the ticket's language, through the real gateway: canned responses, and a language
the console does not know refused with a message naming the field."""

from __future__ import annotations

from tests.handoff.gateway import add_staff, cookie_session, running_gateway
from tests.staff_client import Agent


async def test_canned_responses_in_chinese_and_english(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "alex")
    async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as http:
        agent = Agent(http, gateway.base_url)
        assert (await agent.login("alex")).status == 302
        status, zh = await agent.get("/canned?language=zh")
        assert status == 200 and zh["language"] == "zh" and zh["no_first_name"] == "尊敬的客户"
        greeting = next(r for r in zh["responses"] if r["id"] == "greeting")
        assert greeting["title"] == "问候" and greeting["text"].startswith("{first_name}，您好")
        status, en = await agent.get("/canned?language=en")
        assert status == 200 and en["no_first_name"] == "there"
        assert next(r for r in en["responses"] if r["id"] == "greeting")["title"] == "Greeting"
        assert (await agent.get("/canned"))[1] == en, "English when the console does not say"


async def test_an_unknown_language_is_refused_naming_the_field(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "alex")
    async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as http:
        agent = Agent(http, gateway.base_url)
        assert (await agent.login("alex")).status == 302
        for path in ("/canned?language=fr", "/kb/suggest?q=refund&language=fr"):
            status, body = await agent.get(path)
            assert (status, body["error"]) == (400, "invalid_message"), path
            assert body["message"].startswith("language must be one of en, zh"), body
