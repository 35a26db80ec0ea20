"""The repositories against real SQLite and PostgreSQL: the same test functions run on both."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import exc, select

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Customer, Message
from crm_store.repositories import ArticleRepository, AuditRepository, CustomerRepository, OrderRepository
from tests.factories import make_customer, make_order


async def test_customer_found_by_email_whatever_the_case(sessions) -> None:
    async with unit_of_work(sessions) as session:
        await CustomerRepository(session).add(make_customer(email="Ada.Byron@Example.com"))
    async with unit_of_work(sessions) as session:
        found = await CustomerRepository(session).by_email("  ada.byron@EXAMPLE.com ")
    assert found is not None and found.first_name == "Nora"


async def test_email_is_unique(sessions) -> None:
    with pytest.raises(exc.IntegrityError):
        async with unit_of_work(sessions) as session:
            repository = CustomerRepository(session)
            await repository.add(make_customer(email="same@example.com"))
            await repository.add(make_customer(email="same@example.com"))
    async with unit_of_work(sessions) as session:
        assert await CustomerRepository(session).count() == 0, "the failed transaction must leave nothing behind"


async def test_datetimes_come_back_timezone_aware_in_utc(sessions) -> None:
    berlin = timezone(timedelta(hours=1))
    created = datetime(2026, 3, 1, 13, 0, tzinfo=berlin)
    async with unit_of_work(sessions) as session:
        customer = await CustomerRepository(session).add(make_customer(created_at=created))
        customer_id = customer.id
    async with unit_of_work(sessions) as session:
        loaded = await CustomerRepository(session).get(customer_id)
    assert loaded is not None
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at == created
    assert loaded.created_at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(sessions) -> None:
    with pytest.raises(exc.StatementError, match="naive datetime"):
        async with unit_of_work(sessions) as session:
            await CustomerRepository(session).add(make_customer(created_at=datetime(2026, 1, 1)))  # noqa: DTZ001


async def test_order_by_number_with_items_and_history(sessions) -> None:
    async with unit_of_work(sessions) as session:
        customer = make_customer()
        make_order(customer, "HP-555001", status="in_transit")
        await CustomerRepository(session).add(customer)
    async with unit_of_work(sessions) as session:
        order = await OrderRepository(session).by_number(" hp-555001 ")
    assert order is not None
    assert order.status == "in_transit"
    assert [item.sku for item in order.items] == ["KIT-1001"]
    assert [event.status for event in order.events] == ["placed", "in_transit"]
    async with unit_of_work(sessions) as session:
        assert await OrderRepository(session).by_number("HP-000000") is None


async def test_recent_orders_newest_first(sessions) -> None:
    base = datetime(2026, 10, 1, tzinfo=timezone.utc)
    async with unit_of_work(sessions) as session:
        customer = make_customer()
        for day in (3, 1, 7, 5):
            make_order(customer, f"HP-60000{day}", placed_at=base + timedelta(days=day))
        customer_id = (await CustomerRepository(session).add(customer)).id
    async with unit_of_work(sessions) as session:
        orders = await OrderRepository(session).recent_for_customer(customer_id, limit=3)
    assert [order.number for order in orders] == ["HP-600007", "HP-600005", "HP-600003"]


async def test_channel_identity_links_and_verifies(sessions) -> None:
    async with unit_of_work(sessions) as session:
        repository = CustomerRepository(session)
        customer = await repository.add(make_customer())
        first = await repository.link_identity("telegram", "98765", None, verified=False)
        again = await repository.link_identity("telegram", "98765", customer.id, verified=True)
        assert first.id == again.id
    async with unit_of_work(sessions) as session:
        identity = await CustomerRepository(session).identity("telegram", "98765")
    assert identity is not None and identity.verified and identity.customer_id == customer.id
    assert identity.verified_at is not None and identity.verified_at.tzinfo is not None


async def test_a_channel_message_id_is_stored_once(sessions) -> None:
    async with unit_of_work(sessions) as session:
        session.add(Conversation(id="conv-1", channel="telegram"))
        session.add(
            Message(
                conversation_id="conv-1",
                sender="customer",
                text="hi",
                channel="telegram",
                channel_message_id="update-7",
            )
        )
    with pytest.raises(exc.IntegrityError):
        async with unit_of_work(sessions) as session:
            session.add(
                Message(
                    conversation_id="conv-1",
                    sender="customer",
                    text="hi",
                    channel="telegram",
                    channel_message_id="update-7",
                )
            )
    async with unit_of_work(sessions) as session:
        stored = (await session.execute(select(Message))).scalars().all()
    assert len(stored) == 1


async def test_knowledge_base_revision_counts_up(sessions) -> None:
    async with unit_of_work(sessions) as session:
        repository = ArticleRepository(session)
        assert await repository.revision() == 0
        assert await repository.bump_revision() == 1
        assert await repository.bump_revision() == 2
    async with unit_of_work(sessions) as session:
        assert await ArticleRepository(session).revision() == 2


async def test_embeddings_are_stored_by_model_and_hash(sessions) -> None:
    async with unit_of_work(sessions) as session:
        await ArticleRepository(session).add_embeddings("model-a", 2, {"h1": b"\x00" * 8, "h2": b"\x01" * 8})
    async with unit_of_work(sessions) as session:
        repository = ArticleRepository(session)
        assert await repository.embeddings("model-a", ["h1", "h3"]) == {"h1": b"\x00" * 8}
        assert await repository.embeddings("model-b", ["h1"]) == {}


async def test_audit_entries_for_an_entity_in_order(sessions) -> None:
    async with unit_of_work(sessions) as session:
        audit = AuditRepository(session)
        await audit.record("agent:kim", "customer.email_changed", "customer", 7, {"from": "a@x", "to": "b@x"})
        await audit.record("bot", "customer.phone_changed", "customer", 7)
        await audit.record("bot", "customer.phone_changed", "customer", 8)
    async with unit_of_work(sessions) as session:
        entries = await AuditRepository(session).for_entity("customer", 7)
    assert [entry.action for entry in entries] == ["customer.email_changed", "customer.phone_changed"]
    assert entries[0].details == {"from": "a@x", "to": "b@x"}


async def test_deleting_a_customer_cascades_to_orders(sessions) -> None:
    async with unit_of_work(sessions) as session:
        customer = make_customer()
        make_order(customer, "HP-700001")
        customer_id = (await CustomerRepository(session).add(customer)).id
    async with unit_of_work(sessions) as session:
        await session.delete(await session.get(Customer, customer_id))
    async with unit_of_work(sessions) as session:
        assert await OrderRepository(session).count() == 0
