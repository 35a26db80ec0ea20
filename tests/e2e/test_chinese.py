"""A Chinese-speaking customer on the web chat, against the real gateway, Rasa server and action server:
an FAQ, an order status with ownership proof, a contact change, and a handoff with an agent's reply and
the rating, all in Chinese (issue 18)."""

from __future__ import annotations

from urllib.parse import quote

import aiohttp

from crm_store.db import unit_of_work
from crm_store.models import Conversation
from crm_store.repositories import CustomerRepository
from handoff.channels.web.tokens import sign_customer
from tests.e2e.client import texts
from tests.e2e.test_web_chat import MARIA, _customer, _order_of
from tests.factories import make_customer
from tests.staff_client import Agent, next_frame


async def test_a_chinese_question_gets_the_chinese_article(customer) -> None:
    await customer.connect()
    replies = await customer.say("退货以后多久能拿到退款？")
    said = texts(replies)
    assert "5-10 个工作日" in said, said
    assert replies[-1]["text"] == "这个回答解决您的问题了吗？"
    assert [b["payload"] for b in replies[-1]["buttons"]] == ["/helpful", "/not_helpful"]


async def test_an_order_status_in_chinese_needs_ownership_proof(customer, product_sessions) -> None:
    maria = await _customer(product_sessions, MARIA)
    order = await _order_of(product_sessions, maria, "in_transit")
    await customer.connect()
    asked = await customer.say(f"我的订单{order.number}到哪了")
    assert f"请告诉我订单 {order.number} 下单时使用的邮箱或手机号" in texts(asked), texts(asked)
    refused = await customer.say("tom.becker@example.net")
    assert "不一致" in texts(refused) and order.tracking_number not in texts(refused)
    await customer.say(order.number)
    shown = texts(await customer.say(f"我的邮箱是{MARIA}"))
    assert f"订单 {order.number}：运输途中。" in shown and order.tracking_number in shown, shown
    assert "月" in shown and "日（周" in shown, "dates written the Chinese way"


async def test_a_contact_change_in_chinese(customer, product, product_sessions) -> None:
    # A customer of this test's own: the demo customers' records and audit trails belong to other tests.
    async with unit_of_work(product_sessions) as session:
        li = make_customer(first_name="Wei", last_name="Li", email="li.wei.zh-test@example.com", phone="+8613900139000")
        session.add(li)
        await session.flush()
        li_id = li.id
    await customer.connect(customer_token=sign_customer(product.settings.widget_secret, li_id))
    asked = await customer.say("我想换一下手机号")
    assert "新的手机号码" in texts(asked), texts(asked)
    confirm = await customer.say("+86 138 0013 8000")
    assert "新的电话号码将是" in texts(confirm), texts(confirm)
    done = await customer.click(confirm, "保存")
    assert "您的电话号码已更新为" in texts(done), texts(done)
    async with unit_of_work(product_sessions) as session:
        saved = await CustomerRepository(session).get(li_id)
    assert saved is not None and saved.phone.replace(" ", "").endswith("13800138000")


async def test_a_handoff_in_chinese_with_the_agents_reply_and_the_rating(
    customer, product, staff, product_sessions
) -> None:
    await customer.connect()
    replies = await customer.say("我要找人工客服")
    said = texts(replies)
    assert "排在第" in said or "客服团队现在不在线" in said, said
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as agent_http:
        agent = Agent(agent_http, product.base_url)
        assert (await agent.login(staff["agent"])).status == 302
        status, queue = await agent.get("/queue")
        [mine] = [t for t in queue["tickets"] if t["preview"] == "我要找人工客服"]
        assert status == 200 and mine["language"] == "zh", "the agent sees the customer writes Chinese"
        assert (await agent.post(f"/tickets/{mine['id']}/claim"))[0] == 200
        joined = await next_frame(
            customer, lambda f: f.get("sender") == "system" and "已加入对话" in (f.get("text") or "")
        )
        assert joined["text"].startswith("客服")
        await agent.post(f"/tickets/{mine['id']}/messages", {"text": "您好，我是 Alex，请问有什么可以帮您？"})
        reply = await next_frame(customer, lambda f: f["type"] == "message" and f.get("sender") == "agent")
        assert reply["text"] == "您好，我是 Alex，请问有什么可以帮您？"
        status, _ = await agent.post(f"/tickets/{mine['id']}/resolve", {"resolution": "answered", "hand_back": True})
        assert status == 200
    rating = await next_frame(customer, lambda f: f["type"] == "message" and bool(f.get("buttons")))
    assert rating["text"] == "离开之前，能请您为这次对话打个分吗？", rating
    thanks = await customer.click([rating], "4分")
    assert "感谢您的评价" in texts(thanks), texts(thanks)
    async with unit_of_work(product_sessions) as session:
        conversation = await session.get(Conversation, customer.session_id)
    assert conversation is not None and conversation.csat == 4 and conversation.language == "zh"


async def test_the_agent_sees_a_chinese_customers_language_and_gets_help_in_chinese(customer, product, staff) -> None:
    await customer.connect()
    await customer.say("退货以后多久能拿到退款？")
    said = texts(await customer.say("我想找人工客服"))
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as agent_http:
        agent = Agent(agent_http, product.base_url)
        assert (await agent.login(staff["agent"])).status == 302
        _, queue = await agent.get("/queue")
        found = [t for t in queue["tickets"] if t["preview"] == "退货以后多久能拿到退款？"]
        assert len(found) == 1, (said, queue)
        mine = found[0]
        assert mine["language"] == "zh"
        status, detail = await agent.get(f"/tickets/{mine['id']}")
        assert status == 200 and detail["ticket"]["language"] == "zh", "the ticket page says so too"

        status, suggested = await agent.get("/kb/suggest?language=zh&q=" + quote("退货以后多久能拿到退款？"))
        assert status == 200, suggested
        best = suggested["hits"][0]
        assert (best["slug"], best["title"]) == ("refund-timeline", "退款需要多长时间？"), suggested
        assert "5-10 个工作日" in best["answer"]
        _, english = await agent.get("/kb/suggest?language=en&q=" + quote("how long until I get my refund?"))
        assert english["hits"][0]["title"] == "How long does a refund take?", english
        assert "5-10 business days" in english["hits"][0]["answer"]

        status, canned = await agent.get("/canned?language=zh")
        assert status == 200 and canned["no_first_name"] == "尊敬的客户"
        assert {r["title"] for r in canned["responses"]} >= {"问候", "已退款", "结束语"}
        # Tidy: the ticket goes back to the bot, so later tests see the queue as they expect it.
        assert (await agent.post(f"/tickets/{mine['id']}/claim"))[0] == 200
        assert (await agent.post(f"/tickets/{mine['id']}/resolve", {"resolution": "answered"}))[0] == 200


async def test_did_you_mean_offers_its_options_in_chinese(customer) -> None:
    await customer.connect()
    replies = await customer.say("订单呢呢呢")  # about orders, but which: the bot asks
    asked = next(reply for reply in replies if reply.get("buttons"))
    assert asked["text"] == "抱歉，我不太确定您的意思。您是想问下面哪一个？", texts(replies)
    intents = {b["payload"]: b["title"] for b in asked["buttons"] if not b["payload"].startswith("/ask_faq")}
    assert intents.get("/order_status") == "查看我的订单到哪了", asked["buttons"]
    assert intents["/deny"] == "都不是"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in title) for title in intents.values()), asked["buttons"]
