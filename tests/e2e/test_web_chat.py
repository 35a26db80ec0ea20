"""A customer on the websocket against the real gateway, Rasa server and action server."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from crm_store.db import unit_of_work
from crm_store.models import AuditEntry, Conversation, Customer, Message
from crm_store.repositories import CustomerRepository, OrderRepository
from handoff.channels.web.tokens import sign_customer
from knowledge_base.query_vectors import PARSE_DATA_KEY, KnownVectors
from tests.e2e.client import texts

MARIA = "maria.jensen@example.com"


async def _customer(sessions, email: str) -> Customer:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        customer = await CustomerRepository(session).by_email(email)
        assert customer is not None
        return customer


async def _order_of(sessions, customer: Customer, status: str):  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        orders = await OrderRepository(session).recent_for_customer(customer.id, limit=10)
    return next(order for order in orders if order.status == status)


async def test_a_knowledge_base_answer(customer) -> None:
    await customer.connect()
    replies = await customer.say("how long does it take to get my money back after a return?")
    assert "5-10 business days" in texts(replies)
    assert [b["payload"] for b in replies[-1]["buttons"]] == ["/helpful", "/not_helpful"]


async def test_order_status_for_a_signed_in_customer(customer, product, product_sessions) -> None:
    maria = await _customer(product_sessions, MARIA)
    order = await _order_of(product_sessions, maria, "in_transit")
    await customer.connect(customer_token=sign_customer(product.settings.widget_secret, maria.id))
    replies = await customer.say("where is my order?")
    assert order.number in str(replies[-1]["buttons"]), "a signed-in customer picks from their own orders"
    status = await customer.click(replies, order.number)
    assert order.tracking_number in texts(status) and order.carrier in texts(status)


async def test_an_anonymous_customer_must_prove_ownership(customer, product_sessions) -> None:
    maria = await _customer(product_sessions, MARIA)
    order = await _order_of(product_sessions, maria, "delayed")
    await customer.connect()
    asked = await customer.say(f"where is my order {order.number}")
    assert "email address or phone number" in texts(asked)

    refused = await customer.say("tom.becker@example.net")
    said = texts(refused)
    assert "doesn't match" in said
    assert order.tracking_number not in said and "Maria" not in said and "Delayed" not in said

    await customer.say(order.number)
    shown = await customer.say(MARIA)
    said = texts(shown)
    assert order.number in said and order.tracking_number in said
    assert "late" in said, "a delayed order says what happens next"


async def test_a_contact_change_is_saved_with_an_audit_entry(customer, product, product_sessions) -> None:
    tom = await _customer(product_sessions, "tom.becker@example.net")
    await customer.connect(customer_token=sign_customer(product.settings.widget_secret, tom.id))
    asked = await customer.say("I need to change my phone number")
    assert "new phone number" in texts(asked)
    confirm = await customer.say("+1 (415) 555-0199")
    assert "+14155550199" in texts(confirm)
    done = await customer.click(confirm, "yes")
    assert "Done" in texts(done)
    async with unit_of_work(product_sessions) as session:
        saved = await CustomerRepository(session).get(tom.id)
        audit = (
            (
                await session.execute(
                    select(AuditEntry).where(AuditEntry.entity_type == "customer", AuditEntry.entity_id == str(tom.id))
                )
            )
            .scalars()
            .all()
        )
    assert saved is not None and saved.phone == "+14155550199"
    assert [entry.action for entry in audit] == ["customer.phone_changed"]
    assert audit[0].details["from"] == tom.phone


async def test_a_question_inside_the_order_form_then_back_to_it(customer) -> None:
    await customer.connect()
    first = await customer.say("can you track my order")
    assert "order number" in texts(first)
    digression = await customer.say("actually, do you ship to canada?")
    said = texts(digression)
    assert "Canada" in said, said
    assert "order number" in texts(digression[-1:]), "the form asks again after answering"


async def test_a_vague_message_leads_to_suggestions(customer) -> None:
    await customer.connect()
    replies = await customer.say("my account thing")
    buttons = [button for reply in replies for button in reply.get("buttons") or []]
    articles = [button for button in buttons if button["payload"].startswith('/ask_faq{"article_slug"')]
    assert articles, replies
    picked = await customer.click(replies, articles[0]["title"])
    assert "Did that answer" in texts(picked)


async def test_rating_at_goodbye_is_stored(customer, product, product_sessions) -> None:
    await customer.connect()
    bye = await customer.say("ok that's all, bye")
    assert any("rate" in (reply.get("text") or "") for reply in bye)
    assert '/rate{"rating":"4"}' in str(bye), "the payload reaches the customer unescaped"
    await customer.click(bye, "4")
    async with unit_of_work(product_sessions) as session:
        conversation = await session.get(Conversation, customer.session_id)
    assert conversation is not None and conversation.csat == 4
    # Rasa logs to stderr, line by line: the prompt's lines are in the file by the time the reply came.
    rasa_log = (product.settings.run_dir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    templating_errors = [line for line in rasa_log.splitlines() if "ERROR" in line and "interpolator" in line]
    assert templating_errors == [], "a rating prompt's button payload was read as a template"


async def test_every_message_is_stored_and_html_stays_text(customer, product_sessions) -> None:
    await customer.connect()
    await customer.say("<img src=x onerror=alert(1)> hello")
    async with unit_of_work(product_sessions) as session:
        stored = (
            (await session.execute(select(Message).where(Message.conversation_id == customer.session_id)))
            .scalars()
            .all()
        )
    assert stored[0].sender == "customer" and stored[0].text == "<img src=x onerror=alert(1)> hello"
    assert stored[0].processed_at is not None and any(message.sender == "bot" for message in stored)


async def test_bad_frames_get_clear_errors_and_the_chat_goes_on(customer) -> None:
    await customer.connect()
    await customer.send_raw("{not json")
    assert (await customer.receive())["code"] == "invalid_message"
    await customer.send_raw({"type": "message", "client_id": "abcdefgh1", "text": "x" * 2001})
    error = await customer.receive()
    assert error["code"] == "invalid_message" and "2000" in error["message"]
    await customer.send_raw({"type": "message", "client_id": "abcdefgh2", "text": "hi", "payload": "/greet{}{}"})
    assert "payload" in (await customer.receive())["message"]
    assert "Harbor & Pine" in texts(await customer.say("hello"))


async def test_history_is_restored_on_reconnect(customer, http, product) -> None:
    from tests.e2e.client import ChatClient

    await customer.connect()
    await customer.say("hi")
    again = ChatClient(http, product.base_url)
    welcome = await again.connect(session_id=customer.session_id)
    assert welcome["session_id"] == customer.session_id
    assert [message["text"] for message in welcome["history"]][0] == "hi"
    await again.close()


async def test_a_forged_customer_token_is_refused(customer) -> None:
    welcome = await customer.connect(customer_token="v1.1.9999999999.deadbeef")
    assert welcome == {"type": "error", "code": "invalid_token", "message": "customer_token has a bad signature"}


async def test_rest_fallback_answers_too(http, product) -> None:
    async with http.post(
        f"{product.base_url}/api/chat/messages",
        json={"session_id": None, "client_id": "rest-client-1", "text": "do you have a physical store?"},
    ) as response:
        body = await response.json()
    assert response.status == 200
    assert body["messages"][0]["sender"] == "customer" and any(m["sender"] == "bot" for m in body["messages"])
    async with http.post(f"{product.base_url}/api/chat/messages", data="nope") as response:
        assert response.status == 400 and (await response.json())["error"] == "invalid_message"


async def test_gibberish_gets_a_clarifying_question_not_a_guess(customer) -> None:
    await customer.connect()
    replies = await customer.say("blorp zibble quux")
    said = texts(replies)
    assert "not sure I understood" in said or "say it in other words" in said, said
    assert "5-10 business days" not in said


async def test_the_nlu_hands_its_sentence_vector_to_the_search(customer, product, product_sessions, http) -> None:  # type: ignore[no-untyped-def]
    """Rasa's parse data carries the vector the knowledge-base search reuses (issue 15: each text embedded once)."""
    question = "how many days until a refund reaches my card?"
    await customer.connect()
    assert "5-10 business days" in texts(await customer.say(question))
    async with unit_of_work(product_sessions) as session:
        conversation_id = await session.scalar(select(Message.conversation_id).where(Message.text == question))
    settings = product.settings
    async with http.get(
        f"{settings.rasa_url}/conversations/{conversation_id}/tracker", params={"token": settings.rasa_token}
    ) as response:
        tracker = await response.json()
    parsed = next(event["parse_data"] for event in tracker["events"] if event.get("text") == question)
    known = KnownVectors(settings.knowledge_base.embedding_model, 384, [parsed[PARSE_DATA_KEY]])
    vector = known.get(question)
    assert vector is not None and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4
