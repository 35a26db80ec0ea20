"""Proving who you are inside a form: an order number plus that order's email or phone.

Every form that shows or changes personal data starts with these two slots;
``required_slots`` drops them for customers who are already verified. A wrong
proof and an unknown order number get the same answer, so nothing leaks
about which orders exist, and three wrong tries end the attempt.
"""

from __future__ import annotations

import abc
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import texts
from actions.identity import Identity, identity, matches_contact
from actions.runtime import transaction
from crm_store.repositories import ConversationRepository, CustomerRepository, OrderRepository

ORDER_NUMBER = re.compile(r"^\s*#?\s*hp\s*-?\s*(\d{6})\s*$", re.IGNORECASE)
# Not \b: in "订单HP-100123到哪了" the Chinese characters around the number are word characters too.
ORDER_NUMBER_IN_TEXT = re.compile(r"(?<![a-z0-9])hp\s*-?\s*(\d{6})(?!\d)", re.IGNORECASE)
MAX_PROOF_ATTEMPTS = 3
PROOF_SLOTS = ("order_number", "ownership_proof")


def normalise_order_number(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = ORDER_NUMBER.match(value) or ORDER_NUMBER_IN_TEXT.search(value)
    return f"HP-{match.group(1)}" if match else None


async def record_verification(tracker: Tracker, who: Identity, customer_id: int) -> None:
    """Tie this conversation (and the channel account) to the customer who just proved who they are."""
    async with transaction() as session:
        await ConversationRepository(session).get_or_create(tracker.sender_id, who.channel, customer_id=customer_id)
        if who.channel_user_id:
            await CustomerRepository(session).link_identity(
                who.channel, str(who.channel_user_id), customer_id, verified=True
            )


class VerifiedFormValidation(FormValidationAction, abc.ABC):
    """Validation shared by every form that needs a verified customer. Abstract: never registered itself."""

    # In a contact change the order number only serves as proof; in an order enquiry it is the question.
    order_number_only_for_proof = True

    @abc.abstractmethod
    def name(self) -> str: ...

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if (tracker.get_slot("proof_attempts") or 0) >= MAX_PROOF_ATTEMPTS:
            return []
        if identity(tracker).verified:
            skip = PROOF_SLOTS if self.order_number_only_for_proof else ("ownership_proof",)
            return [slot for slot in domain_slots if slot not in skip]
        return list(domain_slots)

    async def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = normalise_order_number(value)
        if number is None:
            dispatcher.utter_message(text=texts.text(domain, "utter_not_an_order_number", texts.language_of(tracker)))
            return {"order_number": None}
        who = identity(tracker)
        if who.verified:
            async with transaction() as session:
                order = await OrderRepository(session).by_number(number)
            if order is None or order.customer_id != who.customer_id:
                said = texts.text(domain, "utter_order_not_on_account_check", texts.language_of(tracker), number=number)
                dispatcher.utter_message(text=said)
                return {"order_number": None}
        return {"order_number": number}

    async def validate_ownership_proof(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = tracker.get_slot("order_number")
        proof = str(value or "").strip()
        customer = None
        if number and proof:
            async with transaction() as session:
                order = await OrderRepository(session).by_number(number)
                if order is not None:
                    owner = await CustomerRepository(session).get(order.customer_id)
                    if owner is not None and matches_contact(proof, owner.email, owner.phone):
                        customer = owner
        if customer is None:
            attempts = (tracker.get_slot("proof_attempts") or 0) + 1
            refusal = "utter_cannot_verify" if attempts >= MAX_PROOF_ATTEMPTS else "utter_details_do_not_match"
            dispatcher.utter_message(text=texts.text(domain, refusal, texts.language_of(tracker)))
            return {"ownership_proof": None, "order_number": None, "proof_attempts": float(attempts)}
        await record_verification(tracker, identity(tracker), customer.id)
        return {"ownership_proof": "verified", "customer_id": customer.id, "verified": True, "proof_attempts": 0.0}
