from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.feedback import ActionStoreRating
from actions.profile import ActionUpdateContact, ValidateChangeEmailForm, clean_address, clean_email, clean_phone
from crm_store.db import unit_of_work
from crm_store.models import AuditEntry, Conversation
from crm_store.repositories import CustomerRepository
from tests.actions.trackers import make_tracker


def test_contact_values_are_validated_and_normalised() -> None:
    assert clean_email("it's New.Me@Example.org.") == "New.Me@Example.org"
    assert clean_email("not an email") is None
    assert clean_phone("(503) 555-0147") == "+15035550147"
    assert clean_phone("+44 20 5550 1234") == "+442055501234"
    assert clean_phone("12") is None
    assert clean_address("12 Harbor Road, Portland OR 97201, US") == "12 Harbor Road, Portland OR 97201, US"
    assert clean_address("somewhere") is None


async def test_an_email_used_by_another_customer_is_refused(shop) -> None:
    async with unit_of_work(shop.sessions) as session:
        maria = await CustomerRepository(session).by_email("maria.jensen@example.com")
        tom = await CustomerRepository(session).by_email("tom.becker@example.net")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(tom.email, "inform", metadata={"customer_id": maria.id, "verified": True})
    assert await ValidateChangeEmailForm().validate_new_email(tom.email, dispatcher, tracker, {}) == {"new_email": None}
    assert "already used" in dispatcher.messages[0]["text"]


async def test_a_confirmed_change_is_written_and_audited(shop) -> None:
    async with unit_of_work(shop.sessions) as session:
        aiko = await CustomerRepository(session).by_email("aiko.tanaka@example.org")
    events = [{"event": "active_loop", "name": "change_address_form"}, {"event": "active_loop", "name": None}]
    tracker = make_tracker(
        "yes",
        "affirm",
        slots={"new_address": "88 Cedar Lane, Austin TX 78701, US", "confirm_change": True},
        metadata={"customer_id": aiko.id, "verified": True},
    )
    tracker.events[:0] = events
    dispatcher = CollectingDispatcher()
    await ActionUpdateContact().run(dispatcher, tracker, {})
    assert "Done" in dispatcher.messages[0]["text"]
    async with unit_of_work(shop.sessions) as session:
        saved = await CustomerRepository(session).get(aiko.id)
        audit = (await session.execute(select(AuditEntry).where(AuditEntry.entity_id == str(aiko.id)))).scalars().all()
    assert saved.address_line1 == "88 Cedar Lane, Austin TX 78701, US" and saved.city is None
    assert audit[-1].action == "customer.address_line1_changed" and audit[-1].details["via"] == "bot"


async def test_a_declined_change_changes_nothing(shop) -> None:
    async with unit_of_work(shop.sessions) as session:
        tom = await CustomerRepository(session).by_email("tom.becker@example.net")
    tracker = make_tracker(
        "no",
        "deny",
        slots={"new_phone": "+15550000000", "confirm_change": False},
        metadata={"customer_id": tom.id, "verified": True},
    )
    tracker.events[:0] = [{"event": "active_loop", "name": "change_phone_form"}]
    dispatcher = CollectingDispatcher()
    await ActionUpdateContact().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_change_cancelled"
    async with unit_of_work(shop.sessions) as session:
        assert (await CustomerRepository(session).get(tom.id)).phone == tom.phone


async def test_a_rating_is_stored_on_the_conversation(shop) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        '/rate{"rating":"2"}', "rate", entities=[{"entity": "rating", "value": "2"}], sender="rated-conversation"
    )
    await ActionStoreRating().run(dispatcher, tracker, {})
    async with unit_of_work(shop.sessions) as session:
        conversation = await session.get(Conversation, "rated-conversation")
    assert conversation.csat == 2
