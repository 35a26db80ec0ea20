"""Where is my order: status, carrier, tracking, promised date, and what to do when it is late."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import PERSON_BUTTON, DeskbotAction
from actions.handoff import signal
from actions.identity import identity
from actions.runtime import transaction
from actions.verification import MAX_PROOF_ATTEMPTS, VerifiedFormValidation
from crm_store import clock
from crm_store.models import Order
from crm_store.repositories import OrderRepository

STATUS_TEXT = {
    "placed": "Received: we're getting it ready.",
    "paid": "Payment confirmed: it's being prepared for packing.",
    "packed": "Packed and waiting for the carrier to collect it.",
    "shipped": "Shipped.",
    "in_transit": "On its way.",
    "delivered": "Delivered.",
    "delayed": "Delayed with the carrier.",
    "cancelled": "Cancelled.",
    "returned": "Returned to us.",
    "refunded": "Refunded.",
}
IN_FLIGHT = ("shipped", "in_transit", "delayed")
GRACE_BUSINESS_DAYS = 3


def _day(value: date | datetime) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def _add_business_days(start: date, days: int) -> date:
    current = start
    while days:
        current += timedelta(days=1)
        days -= current.weekday() < 5
    return current


def is_late(order: Order, today: date) -> bool:
    return order.status in IN_FLIGHT and order.promised_date is not None and order.promised_date < today


def describe_order(order: Order, today: date) -> str:
    lines = [f"Order {order.number}: {STATUS_TEXT.get(order.status, order.status)}"]
    if order.carrier and order.status in (*IN_FLIGHT, "delivered"):
        lines.append(f"Carrier: {order.carrier}, tracking number {order.tracking_number}.")
    if order.status == "delivered" and order.delivered_at:
        lines.append(f"Delivered on {_day(order.delivered_at)}.")
    elif order.promised_date and order.status not in ("cancelled", "returned", "refunded"):
        lines.append(f"{'Was due' if order.promised_date < today else 'Expected by'} {_day(order.promised_date)}.")
    latest = order.events[-1] if order.events else None
    if latest is not None and latest.note:
        lines.append(f"Latest update ({_day(latest.at)}): {latest.note}.")
    items = ", ".join(f"{item.name} ×{item.quantity}" for item in order.items)
    if items:
        lines.append(f"Items: {items}.")
    if is_late(order, today):
        assert order.promised_date is not None
        lines.append(
            f"I'm sorry it's late. Carriers usually catch up within {GRACE_BUSINESS_DAYS} business days; "
            f"if it hasn't arrived by {_day(_add_business_days(today, GRACE_BUSINESS_DAYS))}, we'll send a "
            "replacement or refund you. I can also bring in a colleague right now."
        )
    elif order.status == "delivered":
        lines.append(
            "Can't find it? Check with neighbours and your safe place; if it's still missing, I can bring in a colleague."
        )
    elif order.status == "refunded":
        lines.append("Refunds reach your original payment method within 5-10 business days.")
    return "\n".join(lines)


class ValidateOrderStatusForm(VerifiedFormValidation):
    order_number_only_for_proof = False

    def name(self) -> str:
        return "validate_order_status_form"


class ActionAskOrderNumber(DeskbotAction):
    """Ask which order; a verified customer gets their recent orders as buttons."""

    def name(self) -> str:
        return "action_ask_order_status_form_order_number"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = identity(tracker)
        if who.verified and who.customer_id is not None:
            async with transaction() as session:
                orders = await OrderRepository(session).recent_for_customer(who.customer_id, limit=4)
            if orders:
                dispatcher.utter_message(
                    text="Which order is it? Here are your most recent ones:",
                    buttons=[
                        {
                            "title": f"{order.number} · {_day(order.placed_at)} · {order.status.replace('_', ' ')}",
                            "payload": f'/inform{{"order_number":"{order.number}"}}',
                        }
                        for order in orders
                    ],
                )
                return []
        dispatcher.utter_message(
            text="Sure, I can check that. What's the order number? It looks like HP-100123 and is in your confirmation email."
        )
        return []


class ActionOrderStatus(DeskbotAction):
    def name(self) -> str:
        return "action_order_status"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        reset = [SlotSet("order_number", None), SlotSet("ownership_proof", None)]
        who = identity(tracker)
        number = tracker.get_slot("order_number")
        if not who.verified or not number:
            if (tracker.get_slot("proof_attempts") or 0) >= MAX_PROOF_ATTEMPTS:
                dispatcher.utter_message(
                    text="A colleague can check the order with you once they've confirmed your identity.",
                    buttons=[PERSON_BUTTON],
                )
                return [*reset, SlotSet("proof_attempts", 0.0)]
            dispatcher.utter_message(text="I couldn't check that order. Could you tell me the order number again?")
            return reset
        async with transaction() as session:
            order = await OrderRepository(session).by_number(number)
        if order is None or order.customer_id != who.customer_id:
            dispatcher.utter_message(text=f"I can't find order {number} on your account.")
            return reset
        today = clock.today()
        late = is_late(order, today)
        dispatcher.utter_message(text=describe_order(order, today), buttons=[PERSON_BUTTON] if late else [])
        if late:
            signal(dispatcher, "late_order")
        return reset


class ActionListOrders(DeskbotAction):
    def name(self) -> str:
        return "action_list_orders"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = identity(tracker)
        if not who.verified or who.customer_id is None:
            dispatcher.utter_message(
                text="To show your orders I need to know it's you: sign in on the shop, or give me one order "
                "number and I'll check it with the email or phone you ordered with.",
                buttons=[{"title": "Check an order", "payload": "/order_status"}],
            )
            return []
        async with transaction() as session:
            orders = await OrderRepository(session).recent_for_customer(who.customer_id, limit=5)
        if not orders:
            dispatcher.utter_message(text="I can't see any orders on your account yet.")
            return []
        lines = [
            f"{order.number} · placed {_day(order.placed_at)} · {STATUS_TEXT.get(order.status, order.status)}"
            for order in orders
        ]
        dispatcher.utter_message(
            text="Your recent orders:\n" + "\n".join(lines),
            buttons=[
                {"title": f"Details of {order.number}", "payload": f'/order_status{{"order_number":"{order.number}"}}'}
                for order in orders[:3]
            ],
        )
        return []
