"""The repositories the gateway's views and the learning loop use, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from crm_store import clock
from crm_store.db import unit_of_work
from crm_store.models import Conversation, ModelRecord, TrainingCandidate, User
from crm_store.repositories import (
    ConversationRepository,
    CustomerRepository,
    ModelRecordRepository,
    NoteRepository,
    StaffSessionRepository,
    TrainingCandidateRepository,
    UserRepository,
)
from tests.factories import make_customer


def _staff(username: str, *, active: bool = True) -> User:
    return User(username=username, display_name=username.title(), role="agent", password_hash="x", active=active)


async def test_a_session_finds_its_user_until_it_expires_or_is_revoked(sessions, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        kim = await UserRepository(session).add(_staff("kim"))
        await StaffSessionRepository(session).start("hash-1", kim.id, clock.now() + timedelta(hours=12))
    async with unit_of_work(sessions) as session:
        found = await StaffSessionRepository(session).active_user("hash-1", clock.now())
        assert found is not None and found.username == "kim"
        assert await StaffSessionRepository(session).active_user("hash-2", clock.now()) is None
        assert await StaffSessionRepository(session).active_user("hash-1", clock.now() + timedelta(hours=13)) is None
        await StaffSessionRepository(session).revoke("hash-1", clock.now())
    async with unit_of_work(sessions) as session:
        assert await StaffSessionRepository(session).active_user("hash-1", clock.now()) is None


async def test_a_deactivated_account_has_no_live_session(sessions, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        gone = await UserRepository(session).add(_staff("gone", active=False))
        await StaffSessionRepository(session).start("hash-gone", gone.id, clock.now() + timedelta(hours=1))
    async with unit_of_work(sessions) as session:
        assert await StaffSessionRepository(session).active_user("hash-gone", clock.now()) is None


async def test_display_names_for_some_or_all(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        users = UserRepository(session)
        kim, lee = await users.add(_staff("kim")), await users.add(_staff("lee"))
    async with unit_of_work(sessions) as session:
        users = UserRepository(session)
        assert await users.display_names([kim.id]) == {kim.id: "Kim"}
        assert await users.display_names([]) == {}
        assert await users.display_names() == {kim.id: "Kim", lee.id: "Lee"}
        assert sorted(await users.all_display_names()) == ["Kim", "Lee"]


async def test_notes_newest_first_with_their_author(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        customer = await CustomerRepository(session).add(make_customer(first_name="Ada", last_name="Byron"))
        kim = await UserRepository(session).add(_staff("kim"))
        notes = NoteRepository(session)
        await notes.add(ticket_id=None, customer_id=customer.id, author_id=kim.id, text="first")
        await notes.add(ticket_id=None, customer_id=customer.id, author_id=kim.id, text="second")
    async with unit_of_work(sessions) as session:
        found = await NoteRepository(session).for_customer(customer.id, limit=1)
        assert [(note.text, author) for note, author in found] == [("second", "Kim")]
        assert "Ada Byron" in await CustomerRepository(session).full_names()


async def test_message_ids_and_recent_customer_messages(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        conversations = ConversationRepository(session)
        session.add(Conversation(id="c1", channel="web"))
        await session.flush()
        conversation = await conversations.get("c1")
        assert conversation is not None
        for number in range(5):
            await conversations.add_message(conversation, "customer" if number % 2 == 0 else "bot", f"m{number}")
    async with unit_of_work(sessions) as session:
        conversations = ConversationRepository(session)
        ids = await conversations.message_ids("c1", last=3)
        assert len(ids) == 3 and ids == sorted(ids)
        assert [m.text for m in await conversations.recent_customer_messages(2)] == ["m4", "m2"]


async def test_pending_candidates_and_one_active_model(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        candidates = TrainingCandidateRepository(session)
        waiting = await candidates.add(TrainingCandidate(kind="nlu_example", question="q", target="greet"))
        await candidates.add(TrainingCandidate(kind="nlu_example", question="r", target="greet", status="approved"))
        models = ModelRecordRepository(session)
        old = await models.add(ModelRecord(file_name="a.tar.gz", inputs_hash="a", actor="t", status="active"))
        new = await models.add(ModelRecord(file_name="b.tar.gz", inputs_hash="b", actor="t", status="active"))
        await models.retire_active(keep=new.id)
    async with unit_of_work(sessions) as session:
        assert [c.id for c in await TrainingCandidateRepository(session).pending()] == [waiting.id]
        models = ModelRecordRepository(session)
        assert (await models.active()).id == new.id  # type: ignore[union-attr]
        assert (await models.get(old.id)).status == "retired"  # type: ignore[union-attr]
        assert (await models.by_file("b.tar.gz")).id == new.id  # type: ignore[union-attr]
        assert [m.id for m in await models.newest_first()] == [new.id, old.id]
