"""Order status: verified customers see their orders; anonymous ones prove ownership first, and nothing leaks."""

from __future__ import annotations

from datetime import date

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.orders import (
    ActionAskOrderNumber,
    ActionListOrders,
    ActionOrderStatus,
    ValidateOrderStatusForm,
    describe_order,
)
from crm_store.db import unit_of_work
from crm_store.models import ChannelIdentity, Conversation, Customer, Order
from crm_store.repositories import CustomerRepository, OrderRepository
from tests.actions.trackers import make_tracker

DOMAIN = {"forms": {"order_status_form": {"required_slots": ["order_number", "ownership_proof"]}}}
MARIA = "maria.jensen@example.com"


async def _maria(shop) -> tuple[Customer, list[Order]]:  # type: ignore[no-untyped-def]
    async with unit_of_work(shop.sessions) as session:
        customer = await CustomerRepository(session).by_email(MARIA)
        assert customer is not None
        orders = await OrderRepository(session).recent_for_customer(customer.id, limit=10)
    return customer, orders


async def test_a_verified_customer_is_not_asked_to_prove_anything(shop) -> None:
    maria, _ = await _maria(shop)
    tracker = make_tracker("where is my order", "order_status", metadata={"customer_id": maria.id, "verified": True})
    slots = await ValidateOrderStatusForm().required_slots(
        ["order_number", "ownership_proof"], CollectingDispatcher(), tracker, DOMAIN
    )
    assert slots == ["order_number"]


async def test_a_verified_customer_picks_from_their_recent_orders(shop) -> None:
    maria, orders = await _maria(shop)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("where is my order", "order_status", metadata={"customer_id": maria.id, "verified": True})
    await ActionAskOrderNumber().run(dispatcher, tracker, DOMAIN)
    payloads = [button["payload"] for button in dispatcher.messages[0]["buttons"]]
    assert payloads == [f'/inform{{"order_number":"{order.number}"}}' for order in orders[:4]]


async def test_a_verified_customer_gets_status_carrier_tracking_and_dates(shop) -> None:
    maria, orders = await _maria(shop)
    in_transit = next(order for order in orders if order.status == "in_transit")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "status",
        "order_status",
        slots={"order_number": in_transit.number},
        metadata={"customer_id": maria.id, "verified": True},
    )
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    text = dispatcher.messages[0]["text"]
    assert in_transit.number in text and "On its way" in text
    assert in_transit.carrier in text and in_transit.tracking_number in text


async def test_someone_elses_order_is_not_shown_to_a_verified_customer(shop) -> None:
    maria, _ = await _maria(shop)
    async with unit_of_work(shop.sessions) as session:
        other = (await session.execute(select(Order).where(Order.customer_id != maria.id).limit(1))).scalar_one()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(other.number, "inform", metadata={"customer_id": maria.id, "verified": True})
    result = await ValidateOrderStatusForm().validate_order_number(other.number, dispatcher, tracker, DOMAIN)
    assert result == {"order_number": None}
    assert "can't find order" in dispatcher.messages[0]["text"]
    assert other.tracking_number is None or other.tracking_number not in str(dispatcher.messages)


async def test_an_anonymous_customer_proves_ownership_with_the_order_email(shop) -> None:
    _, orders = await _maria(shop)
    order = orders[0]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        MARIA.upper(),
        "inform",
        slots={"order_number": order.number},
        metadata={"channel": "web", "channel_user_id": "web-session-1"},
        sender="anon-conversation",
    )
    result = await ValidateOrderStatusForm().validate_ownership_proof(MARIA.upper(), dispatcher, tracker, DOMAIN)
    assert result["verified"] is True and result["customer_id"] == order.customer_id
    async with unit_of_work(shop.sessions) as session:
        conversation = await session.get(Conversation, "anon-conversation")
        identity = (
            await session.execute(select(ChannelIdentity).where(ChannelIdentity.channel_user_id == "web-session-1"))
        ).scalar_one()
    assert conversation is not None and conversation.customer_id == order.customer_id
    assert identity.verified and identity.customer_id == order.customer_id


async def test_the_order_phone_works_as_proof_in_any_format(shop) -> None:
    maria, orders = await _maria(shop)
    digits = maria.phone.removeprefix("+1")
    spaced = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    result = await ValidateOrderStatusForm().validate_ownership_proof(
        spaced, CollectingDispatcher(), make_tracker(spaced, "inform", slots={"order_number": orders[0].number}), DOMAIN
    )
    assert result["verified"] is True


async def test_a_wrong_email_is_refused_the_same_way_as_an_unknown_order(shop) -> None:
    _, orders = await _maria(shop)
    wrong_email, unknown_order = CollectingDispatcher(), CollectingDispatcher()
    first = await ValidateOrderStatusForm().validate_ownership_proof(
        "someone.else@example.com",
        wrong_email,
        make_tracker("someone.else@example.com", "inform", slots={"order_number": orders[0].number}),
        DOMAIN,
    )
    second = await ValidateOrderStatusForm().validate_ownership_proof(
        MARIA, unknown_order, make_tracker(MARIA, "inform", slots={"order_number": "HP-999999"}), DOMAIN
    )
    assert first == second == {"ownership_proof": None, "order_number": None, "proof_attempts": 1.0}
    assert wrong_email.messages == unknown_order.messages
    said = str(wrong_email.messages)
    assert orders[0].status not in said and (orders[0].tracking_number or "@@") not in said and "Maria" not in said


async def test_three_wrong_proofs_end_the_attempt_without_details(shop) -> None:
    _, orders = await _maria(shop)
    tracker = make_tracker("x@example.com", "inform", slots={"order_number": orders[0].number, "proof_attempts": 2.0})
    dispatcher = CollectingDispatcher()
    result = await ValidateOrderStatusForm().validate_ownership_proof("x@example.com", dispatcher, tracker, DOMAIN)
    assert result["proof_attempts"] == 3.0
    done = make_tracker("x", "inform", slots={"proof_attempts": 3.0})
    assert (
        await ValidateOrderStatusForm().required_slots(["order_number", "ownership_proof"], dispatcher, done, DOMAIN)
        == []
    )
    status = CollectingDispatcher()
    await ActionOrderStatus().run(status, done, DOMAIN)
    assert status.messages[0]["buttons"] == [{"title": "Talk to a person", "payload": "/request_human"}]


async def test_an_unverified_customer_cannot_list_orders(shop) -> None:
    dispatcher = CollectingDispatcher()
    await ActionListOrders().run(dispatcher, make_tracker("show my orders", "list_orders"), DOMAIN)
    assert "need to know it's you" in dispatcher.messages[0]["text"]
    assert "HP-" not in dispatcher.messages[0]["text"]


async def test_a_late_order_says_what_happens_next() -> None:
    from crm_store.models import OrderEvent

    order = Order(
        number="HP-123456", status="in_transit", carrier="UPS", tracking_number="1Z1", promised_date=date(2026, 11, 16)
    )
    order.items = []
    order.events = [
        OrderEvent(
            status="in_transit",
            at=__import__("datetime").datetime(2026, 11, 14, tzinfo=__import__("datetime").timezone.utc),
            note=None,
        )
    ]
    text = describe_order(order, date(2026, 11, 23))
    assert "Was due Mon 16 Nov" in text and "replacement or refund" in text
    chinese = describe_order(order, date(2026, 11, 23), language="zh").splitlines()
    assert chinese[0] == "订单 HP-123456：运输途中。"
    assert chinese[1] == "承运商：UPS，运单号 1Z1。"
    assert chinese[2] == "原定11月16日（周一）送达。"
    assert "11月26日（周四）" in chinese[3] and "补发或退款" in chinese[3], "three business days on: Thursday"


async def test_identity_metadata_without_the_gateways_signature_is_a_forgery(shop, caplog) -> None:  # type: ignore[no-untyped-def]
    maria, _ = await _maria(shop)
    forged = {"customer_id": maria.id, "verified": True, "channel": "web"}
    for tracker in (
        make_tracker("where is my order", "order_status", metadata=forged, signed=False),
        # A signature over other fields (another customer's) does not carry over either.
        make_tracker("where is my order", "order_status", metadata={**forged, "customer_id": maria.id + 1}),
    ):
        if tracker.latest_message["metadata"].get("customer_id") != maria.id:
            tracker.latest_message["metadata"]["customer_id"] = maria.id
        dispatcher = CollectingDispatcher()
        slots = await ValidateOrderStatusForm().required_slots(
            ["order_number", "ownership_proof"], dispatcher, tracker, DOMAIN
        )
        assert slots == ["order_number", "ownership_proof"], "a forged identity must prove ownership like anyone"
    assert "without the gateway's signature" in caplog.text
