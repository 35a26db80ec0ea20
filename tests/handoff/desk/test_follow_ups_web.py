"""Follow-up visits on web chat: a resolved complaint is asked about days later; "no" reopens it, "yes" is rated."""

from __future__ import annotations

import aiohttp

from crm_store.db import unit_of_work
from crm_store.models import Conversation, FollowUp, Ticket
from handoff.channels.web.client import ChatClient
from tests.handoff.desk.follow_up_helpers import (
    AFTER,
    PAST_DUE,
    follow_ups,
    followed_up_customer,
    one_pass,
    resolve_complaint,
    wake_until_sent,
)
from tests.handoff.gateway import add_staff, running_gateway
from tests.staff_client import Agent, next_frame

QUESTION = "Did the replacement arrive? Is everything sorted?"


def is_follow_up(frame: dict) -> bool:
    return frame.get("type") == "message" and frame.get("text") == QUESTION


async def test_a_resolved_complaint_is_followed_up_on_web_and_a_no_reopens_it_with_the_history(
    sessions, database_url, tmp_path, fixed_clock
) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "kim")
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        customer = ChatClient(http, gateway.base_url)
        await customer.connect()
        await customer.say("my parcel arrived broken")
        earlier = await resolve_complaint(gateway, customer.session_id)
        [scheduled] = await follow_ups(sessions)
        assert scheduled.state == "scheduled" and scheduled.due_at == fixed_clock.now() + AFTER

        fixed_clock.advance(seconds=AFTER.total_seconds() - 60)
        await one_pass(gateway)
        assert [row.state for row in await follow_ups(sessions)] == ["scheduled"], "not a minute early"
        fixed_clock.advance(minutes=2)
        await wake_until_sent(sessions, gateway)
        frame = await next_frame(customer, is_follow_up)
        assert [button["title"] for button in frame["buttons"]] == ["Yes, all sorted", "No, not yet"]

        replies = await customer.click([frame], "No")
        assert any("reopened your case" in (reply["text"] or "") for reply in replies)
        assert any("number 1 in line" in (reply["text"] or "") for reply in replies), "told their place in the queue"

        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as agent_http:
            agent = Agent(agent_http, gateway.base_url)
            await agent.login("kim")
            status, queue = await agent.get("/queue")
            assert status == 200
            [waiting] = [ticket for ticket in queue["tickets"] if ticket["status"] == "queued"]
            assert waiting["id"] != earlier and waiting["reason"] == "complaint"
            status, detail = await agent.get(f"/tickets/{waiting['id']}")
            status, listed = await agent.get("/follow-ups?state=reopened")
            assert status == 200 and listed["counts"]["reopened"] == 1 and listed["counts"]["sent"] == 0
            [row] = listed["follow_ups"]
            assert (row["ticket_id"], row["reopened_ticket_id"], row["channel"]) == (earlier, waiting["id"], "web")
            assert (await agent.get("/follow-ups?state=later"))[0] == 400, "an unknown state is refused, not ignored"
            async with agent_http.get(gateway.url("/console/")) as page:
                assert 'id="follow-up-rows"' in await page.text(), "the queue page lists the follow-ups"
        assert detail["ticket"]["context"]["reopened_from"]["ticket_id"] == earlier
        assert detail["ticket"]["context"]["reopened_from"]["resolution"] == "sent a replacement"
        transcript = [message["text"] for message in detail["transcript"]]
        assert "my parcel arrived broken" in transcript and QUESTION in transcript, "the whole history, follow-up too"
        [answered] = await follow_ups(sessions)
        assert answered.state == "reopened" and answered.reopened_ticket_id == waiting["id"]
        await customer.close()


async def test_a_yes_asks_for_a_rating_and_stores_it_like_the_csat(
    sessions, database_url, tmp_path, fixed_clock
) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "kim")
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        customer = ChatClient(http, gateway.base_url)
        await customer.connect()
        await customer.say("the lamp I got is the wrong colour")
        await resolve_complaint(gateway, customer.session_id)
        await customer.close()  # the customer has left; the question waits in their history

        fixed_clock.advance(seconds=PAST_DUE.total_seconds())
        await wake_until_sent(sessions, gateway)
        returning = ChatClient(http, gateway.base_url)
        await returning.connect(session_id=customer.session_id)
        [question] = [message for message in returning.history if message["text"] == QUESTION]

        replies = await returning.click([question], "Yes")
        [ask] = [reply for reply in replies if reply["buttons"]]
        assert len(ask["buttons"]) == 5, "a rating from 1 to 5"
        replies = await returning.click([ask], "★★★★")  # the first containing four stars: four
        assert "Thank you for your rating!" in [reply["text"] for reply in replies]
        again = await returning.click([question], "No")  # a second answer changes nothing
        assert "we already have your answer" in again[-1]["text"]
        await returning.close()

    [answered] = await follow_ups(sessions)
    assert answered.state == "answered_yes" and answered.rating == 4 and answered.answered_at == fixed_clock.now()
    async with unit_of_work(sessions) as session:
        conversation = await session.get(Conversation, customer.session_id)
        assert conversation.csat == 4
        open_tickets = (await session.execute(Ticket.__table__.select().where(Ticket.status == "queued"))).all()
    assert open_tickets == [], "a yes reopens nothing"


async def test_a_payload_naming_another_conversations_follow_up_changes_nothing(
    sessions, database_url, tmp_path, fixed_clock
) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "kim")
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        victim, _ = await followed_up_customer(http, gateway, sessions, fixed_clock, "broken on arrival")
        [sent] = await follow_ups(sessions)

        intruder = ChatClient(http, gateway.base_url)
        await intruder.connect()
        replies = await intruder.say("No", payload=f'/follow_up_answer{{"follow_up":{sent.id},"answer":"no"}}')
        assert "we already have your answer" in replies[-1]["text"]
        await victim.close()
        await intruder.close()
    [still] = await follow_ups(sessions)
    assert still.state == "sent"
    async with unit_of_work(sessions) as session:
        assert (await session.execute(FollowUp.__table__.select().where(FollowUp.state == "reopened"))).all() == []


async def test_typed_answers_are_read_as_the_buttons_and_a_question_still_goes_to_the_bot(
    sessions, database_url, tmp_path, fixed_clock
) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "kim")
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        happy, _ = await followed_up_customer(http, gateway, sessions, fixed_clock, "the lamp is the wrong colour")
        unhappy, _ = await followed_up_customer(http, gateway, sessions, fixed_clock, "my parcel arrived broken")

        asked_back = await happy.say("what time do you open tomorrow?")
        assert "re: what time do you open tomorrow?" in [reply["text"] for reply in asked_back], "the bot answers"
        # The bot spoke since: "yes" now answers the bot, not the follow-up.
        assert "re: yes" in [reply["text"] for reply in await happy.say("yes")]
        assert [row.state for row in await follow_ups(sessions)] == ["sent", "sent"]

        no = await unhappy.say("not yet, still waiting for it")
        assert any("reopened your case" in (reply["text"] or "") for reply in no)
        await happy.close()
        await unhappy.close()
    states = {row.conversation_id: row.state for row in await follow_ups(sessions)}
    assert states == {happy.session_id: "sent", unhappy.session_id: "reopened"}


async def test_a_typed_yes_then_a_typed_rating(sessions, database_url, tmp_path, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "kim")
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        customer, question = await followed_up_customer(http, gateway, sessions, fixed_clock, "the handle came off")
        assert is_follow_up(question)

        yes = await customer.say("收到了，谢谢")  # "got it, thanks"
        assert any(len(reply["buttons"]) == 5 for reply in yes), "asked for a rating"
        rated = await customer.say("5 stars")
        assert "Thank you for your rating!" in [reply["text"] for reply in rated]
        await customer.close()
    assert not [r["text"] for r in yes + rated if (r["text"] or "").startswith("re: ")], "nothing went to the bot"
    [answered] = await follow_ups(sessions)
    assert (answered.state, answered.rating) == ("answered_yes", 5)


async def test_a_customer_who_writes_chinese_is_followed_up_in_chinese(
    sessions, database_url, tmp_path, fixed_clock
) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "kim")
    async with running_gateway(database_url, tmp_path) as gateway, aiohttp.ClientSession() as http:
        # "the lamp I got is broken"
        customer, question = await followed_up_customer(http, gateway, sessions, fixed_clock, "收到的台灯是坏的")
        assert question["text"] == "您收到换货了吗？问题都解决了吗？"
        assert [button["title"] for button in question["buttons"]] == ["是的，都解决了", "还没有"]
        replies = await customer.say("还没收到")  # "not received yet", typed
        assert any("很抱歉问题还没解决" in (reply["text"] or "") for reply in replies), replies
        assert any("您目前排在第 1 位" in (reply["text"] or "") for reply in replies), "the queue notice in Chinese"
        await customer.close()
    [answered] = await follow_ups(sessions)
    assert answered.state == "reopened"
