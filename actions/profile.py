"""Changing contact details: validate, confirm, write to the CRM, and leave an audit entry."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import texts
from actions.base import DeskbotAction, person_button
from actions.identity import identity
from actions.runtime import transaction
from actions.verification import MAX_PROOF_ATTEMPTS, VerifiedFormValidation
from crm_store.repositories import AuditRepository, CustomerRepository

EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE_IN_TEXT = re.compile(r"\+?\d[\d\s().-]{5,}\d")
MAX_ADDRESS = 300

# form name -> (slot with the new value, customer field, what we call it)
CHANGES = {
    "change_email_form": ("new_email", "email", "utter_label_email"),
    "change_phone_form": ("new_phone", "phone", "utter_label_phone"),
    "change_address_form": ("new_address", "address_line1", "utter_label_address"),
}


def clean_email(value: Any) -> str | None:
    match = EMAIL_IN_TEXT.search(str(value or ""))
    email = match.group(0).strip(".") if match else ""
    return email if EMAIL.match(email) and len(email) <= 254 else None


def clean_phone(value: Any) -> str | None:
    match = PHONE_IN_TEXT.search(str(value or ""))
    if not match:
        return None
    raw = match.group(0)
    digits = re.sub(r"\D", "", raw)
    if not 7 <= len(digits) <= 15:
        return None
    if raw.strip().startswith("+"):
        return "+" + digits
    return "+1" + digits if len(digits) == 10 else "+" + digits


def clean_address(value: Any) -> str | None:
    text = " ".join(str(value or "").split())
    if not 8 <= len(text) <= MAX_ADDRESS or not re.search(r"\d", text) or not re.search(r"[A-Za-z]{2}", text):
        return None
    return text


class _ContactChangeValidation(VerifiedFormValidation):
    """Abstract: the confirm step every contact change shares."""

    async def validate_confirm_change(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"confirm_change": bool(value)}


class ValidateChangeEmailForm(_ContactChangeValidation):
    def name(self) -> str:
        return "validate_change_email_form"

    async def validate_new_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        email = clean_email(value)
        if email is None:
            dispatcher.utter_message(text=texts.text(domain, "utter_not_an_email", texts.language_of(tracker)))
            return {"new_email": None}
        async with transaction() as session:
            holder = await CustomerRepository(session).by_email(email)
        if holder is not None and holder.id != identity(tracker).customer_id:
            dispatcher.utter_message(text=texts.text(domain, "utter_email_taken", texts.language_of(tracker)))
            return {"new_email": None}
        dispatcher.utter_message(
            text=texts.text(domain, "utter_new_email_will_be", texts.language_of(tracker), email=email)
        )
        return {"new_email": email.lower()}


class ValidateChangePhoneForm(_ContactChangeValidation):
    def name(self) -> str:
        return "validate_change_phone_form"

    async def validate_new_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = clean_phone(value)
        if phone is None:
            dispatcher.utter_message(text=texts.text(domain, "utter_not_a_phone", texts.language_of(tracker)))
            return {"new_phone": None}
        dispatcher.utter_message(
            text=texts.text(domain, "utter_new_phone_will_be", texts.language_of(tracker), phone=phone)
        )
        return {"new_phone": phone}


class ValidateChangeAddressForm(_ContactChangeValidation):
    def name(self) -> str:
        return "validate_change_address_form"

    async def validate_new_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        address = clean_address(value)
        if address is None:
            dispatcher.utter_message(text=texts.text(domain, "utter_need_full_address", texts.language_of(tracker)))
            return {"new_address": None}
        dispatcher.utter_message(
            text=texts.text(domain, "utter_new_address_will_be", texts.language_of(tracker), address=address)
        )
        return {"new_address": address}


class ActionUpdateContact(DeskbotAction):
    def name(self) -> str:
        return "action_update_contact"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        form = next(
            (
                event.get("name")
                for event in reversed(tracker.events)
                if event.get("event") == "active_loop" and event.get("name")
            ),
            None,
        )
        reset = [
            SlotSet(slot, None)
            for slot in ("new_email", "new_phone", "new_address", "confirm_change", "order_number", "ownership_proof")
        ]
        who = identity(tracker)
        language = texts.language_of(tracker)
        if form not in CHANGES or not who.verified or who.customer_id is None:
            if (tracker.get_slot("proof_attempts") or 0) >= MAX_PROOF_ATTEMPTS:
                dispatcher.utter_message(
                    text=texts.text(domain, "utter_colleague_updates_details", language),
                    buttons=[person_button(domain, language)],
                )
                return [*reset, SlotSet("proof_attempts", 0.0)]
            dispatcher.utter_message(text=texts.text(domain, "utter_not_changed_unconfirmed", language))
            return reset
        slot, field, label = CHANGES[form]
        value = tracker.get_slot(slot)
        if not tracker.get_slot("confirm_change") or not value:
            dispatcher.utter_message(response="utter_change_cancelled")
            return reset
        async with transaction() as session:
            customer = await CustomerRepository(session).get(who.customer_id)
            if customer is None:
                dispatcher.utter_message(
                    text=texts.text(domain, "utter_no_customer_record", language),
                    buttons=[person_button(domain, language)],
                )
                return reset
            old = getattr(customer, field)
            setattr(customer, field, value)
            if field == "address_line1":
                # A one-line address replaces the structured one; agents see the full text.
                customer.address_line2 = customer.city = customer.region = customer.postal_code = None
            await AuditRepository(session).record(
                f"customer:{customer.id}",
                f"customer.{field}_changed",
                "customer",
                customer.id,
                {"from": old, "to": value, "via": "bot", "conversation": tracker.sender_id},
            )
        said = texts.text(domain, "utter_change_done", language, label=texts.text(domain, label, language), value=value)
        dispatcher.utter_message(text=said)
        dispatcher.utter_message(response="utter_anything_else")
        return reset
