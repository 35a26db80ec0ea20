"""Where is my order: status, carrier, tracking, promised date, and what to do when it is late."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import format_date
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.base import DeskbotAction, person_button
from actions.handoff import signal
from actions.identity import identity
from actions.runtime import transaction
from actions.verification import MAX_PROOF_ATTEMPTS, VerifiedFormValidation
from crm_store import clock
from crm_store.models import Order
from crm_store.models.order import ORDER_STATUSES
from crm_store.repositories import OrderRepository
from knowledge_base.language import DEFAULT_LANGUAGE

IN_FLIGHT = ("shipped", "in_transit", "delayed")
GRACE_BUSINESS_DAYS = 3
DAY_FORMATS = {"en": ("EEE d MMM", "en"), "zh": ("M月d日（EEE）", "zh_CN")}  # "Tue 3 Dec", "12月3日（周二）"


def _day(value: date | datetime, language: str = DEFAULT_LANGUAGE) -> str:
    pattern, locale = DAY_FORMATS.get(language, DAY_FORMATS[DEFAULT_LANGUAGE])
    return str(format_date(value, pattern, locale=locale))


def _add_business_days(start: date, days: int) -> date:
    current = start
    while days:
        current += timedelta(days=1)
        days -= current.weekday() < 5
    return current


def is_late(order: Order, today: date) -> bool:
    return order.status in IN_FLIGHT and order.promised_date is not None and order.promised_date < today


def describe_order(
    order: Order, today: date, domain: dict[str, Any] | None = None, language: str = DEFAULT_LANGUAGE
) -> str:
    """The order's status, carrier, dates, items and what to do next, in ``language`` (bot/domain.yml's words)."""

    def say(response: str, **values: Any) -> str:
        return texts.text(domain or {}, response, language, **values)

    def day(value: date | datetime) -> str:
        return _day(value, language)

    status = say(f"utter_order_status_{order.status}") if order.status in ORDER_STATUSES else order.status
    lines = [say("utter_order_line", number=order.number, status=status)]
    if order.carrier and order.status in (*IN_FLIGHT, "delivered"):
        lines.append(say("utter_order_carrier", carrier=order.carrier, tracking=order.tracking_number))
    if order.status == "delivered" and order.delivered_at:
        lines.append(say("utter_order_delivered_on", day=day(order.delivered_at)))
    elif order.promised_date and order.status not in ("cancelled", "returned", "refunded"):
        due = "utter_order_was_due" if order.promised_date < today else "utter_order_expected"
        lines.append(say(due, day=day(order.promised_date)))
    latest = order.events[-1] if order.events else None
    if latest is not None and latest.note:
        lines.append(say("utter_order_latest_update", day=day(latest.at), note=latest.note))
    items = ", ".join(f"{item.name} ×{item.quantity}" for item in order.items)
    if items:
        lines.append(say("utter_order_items", items=items))
    if is_late(order, today):
        back_by = day(_add_business_days(today, GRACE_BUSINESS_DAYS))
        lines.append(say("utter_order_late", grace=GRACE_BUSINESS_DAYS, day=back_by))
    elif order.status == "delivered":
        lines.append(say("utter_order_delivered_missing"))
    elif order.status == "refunded":
        lines.append(say("utter_order_refund_timing"))
    return "\n".join(lines)


def _status_label(order: Order, domain: dict[str, Any], language: str) -> str:
    """A short status for a button: the status line without its final full stop."""
    if order.status not in ORDER_STATUSES:
        return order.status.replace("_", " ")
    return texts.text(domain, f"utter_order_status_{order.status}", language).rstrip(".。")


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
        language = texts.language_of(tracker)
        if who.verified and who.customer_id is not None:
            async with transaction() as session:
                orders = await OrderRepository(session).recent_for_customer(who.customer_id, limit=4)
            if orders:
                dispatcher.utter_message(
                    text=texts.text(domain, "utter_which_order", language),
                    buttons=[
                        {
                            "title": f"{order.number} · {_day(order.placed_at, language)} · "
                            + _status_label(order, domain, language),
                            "payload": f'/inform{{"order_number":"{order.number}"}}',
                        }
                        for order in orders
                    ],
                )
                return []
        dispatcher.utter_message(text=texts.text(domain, "utter_ask_order_number_plain", language))
        return []


class ActionOrderStatus(DeskbotAction):
    def name(self) -> str:
        return "action_order_status"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        reset = [SlotSet("order_number", None), SlotSet("ownership_proof", None)]
        who = identity(tracker)
        language = texts.language_of(tracker)
        person = [person_button(domain, language)]
        number = tracker.get_slot("order_number")
        if not who.verified or not number:
            if (tracker.get_slot("proof_attempts") or 0) >= MAX_PROOF_ATTEMPTS:
                dispatcher.utter_message(
                    text=texts.text(domain, "utter_order_colleague_checks", language), buttons=person
                )
                return [*reset, SlotSet("proof_attempts", 0.0)]
            dispatcher.utter_message(text=texts.text(domain, "utter_order_check_again", language))
            return reset
        async with transaction() as session:
            order = await OrderRepository(session).by_number(number)
        if order is None or order.customer_id != who.customer_id:
            dispatcher.utter_message(text=texts.text(domain, "utter_order_not_found", language, number=number))
            return reset
        today = clock.today()
        late = is_late(order, today)
        dispatcher.utter_message(text=describe_order(order, today, domain, language), buttons=person if late else [])
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
        language = texts.language_of(tracker)
        if not who.verified or who.customer_id is None:
            dispatcher.utter_message(
                text=texts.text(domain, "utter_orders_need_identity", language),
                buttons=[
                    {"title": texts.text(domain, "utter_button_check_order", language), "payload": "/order_status"}
                ],
            )
            return []
        async with transaction() as session:
            orders = await OrderRepository(session).recent_for_customer(who.customer_id, limit=5)
        if not orders:
            dispatcher.utter_message(text=texts.text(domain, "utter_no_orders_yet", language))
            return []
        lines = [
            texts.text(
                domain,
                "utter_order_list_line",
                language,
                number=order.number,
                day=_day(order.placed_at, language),
                status=_status_label(order, domain, language),
            )
            for order in orders
        ]
        dispatcher.utter_message(
            text=texts.text(domain, "utter_your_recent_orders", language) + "\n" + "\n".join(lines),
            buttons=[
                {
                    "title": texts.text(domain, "utter_button_order_details", language, number=order.number),
                    "payload": f'/order_status{{"order_number":"{order.number}"}}',
                }
                for order in orders[:3]
            ],
        )
        return []
