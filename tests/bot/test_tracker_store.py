"""The cached tracker store gives Rasa the same trackers, and stores the same rows, as Rasa's own SQL store.

Each scenario runs on SQLite and on PostgreSQL, with Rasa's ``SQLTrackerStore`` on the same database as the
referee: whatever the cache does, a tracker read back by Rasa's own code must be the one the bot worked with.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.tracker_store import CachedSQLTrackerStore
from tests.conftest import fresh_postgres_database

DOMAIN = Domain.load(Path(__file__).resolve().parents[2] / "bot" / "domain.yml")


@pytest.fixture(scope="module")
def tracker_database() -> Iterator[str]:
    """A PostgreSQL database of these tests' own: Rasa's store creates its `events` table wherever it is pointed,
    and the shared test database must hold only the product's migrated schema."""
    with fresh_postgres_database("deskbot_trackers") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_config(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """Keyword arguments for a tracker store, as handoff/ops/stack.py writes them into Rasa's endpoints."""
    if request.param == "sqlite":
        return {"dialect": "sqlite", "db": str(tmp_path / "trackers.db")}
    url = make_url(request.getfixturevalue("tracker_database"))
    return {
        "dialect": "postgresql",
        "host": url.host,
        "port": url.port or 5432,
        "db": url.database,
        "username": url.username or "",
        "password": url.password or "",
    }


def cached(config: dict[str, Any], **options: Any) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(domain=DOMAIN, **config, **options)


def referee(config: dict[str, Any]) -> SQLTrackerStore:
    return SQLTrackerStore(domain=DOMAIN, **config)


class Turns:
    """Events with timestamps of their own: session boundaries must not depend on the wall clock."""

    def __init__(self) -> None:
        self.time = 1_000_000.0

    def _at(self, event: Event) -> Event:
        self.time += 1.0
        event.timestamp = self.time
        return event

    def session_start(self) -> list[Event]:
        # As Rasa's processor logs it: the action's own event is created after the SessionStarted it returned, and
        # comes first in the tracker.
        started = self._at(SessionStarted())
        return [self._at(ActionExecuted("action_session_start")), started, self._at(ActionExecuted("action_listen"))]

    def turn(self, text: str, reply: str) -> list[Event]:
        return [
            self._at(UserUttered(text, {"name": "ask_faq", "confidence": 0.9})),
            self._at(SlotSet("requested_person", False)) if "person" in text else self._at(ActionExecuted("utter_x")),
            self._at(BotUttered(reply)),
            self._at(ActionExecuted("action_listen")),
        ]


def dicts(tracker: DialogueStateTracker | None) -> list[dict[str, Any]]:
    assert tracker is not None
    return [event.as_dict() for event in tracker.events]


async def one_message(store: CachedSQLTrackerStore, sender: str, events: list[Event]) -> DialogueStateTracker:
    """What Rasa's processor does for a message: fetch or create the tracker, add the turn's events, save."""
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    for event in events:
        tracker.update(event)
    await store.save(tracker)
    return tracker


async def test_a_conversation_reads_back_as_rasas_own_store_reads_it(store_config: dict[str, Any]) -> None:
    store, rasa_store, turns, sender = cached(store_config), referee(store_config), Turns(), uuid.uuid4().hex
    await one_message(store, sender, [*turns.session_start(), *turns.turn("hi", "Hello!")])
    for number in range(3):
        tracker = await one_message(store, sender, turns.turn(f"question {number}", f"answer {number}"))
        assert dicts(await rasa_store.retrieve(sender)) == dicts(tracker)
        assert dicts(await store.retrieve(sender)) == dicts(tracker)
    assert store.hits >= 3, "the conversation was read back from the database every time"


async def test_rows_are_the_rows_rasas_store_writes(store_config: dict[str, Any]) -> None:
    store, rasa_store, sender = cached(store_config), referee(store_config), uuid.uuid4().hex
    turns_a, turns_b = Turns(), Turns()
    for name, writer, turns in ((sender, store, turns_a), (sender + "-rasa", rasa_store, turns_b)):
        tracker = await writer.get_or_create_tracker(name, append_action_listen=False)
        for event in [*turns.session_start(), *turns.turn("where is my order?", "Which order?")]:
            tracker.update(event)
        await writer.save(tracker)
        tracker.update(turns.turn("A-1001", "It is on its way.")[0])
        await writer.save(tracker)

    def rows(name: str) -> list[tuple[Any, ...]]:
        with rasa_store.session_scope() as session:
            query = session.query(SQLTrackerStore.SQLEvent).filter(SQLTrackerStore.SQLEvent.sender_id == name)
            return [
                (row.type_name, row.timestamp, row.intent_name, row.action_name, row.data)
                for row in query.order_by(SQLTrackerStore.SQLEvent.id)
            ]

    assert rows(sender) == rows(sender + "-rasa")
    assert [row[0] for row in rows(sender)] == [
        "action",
        "session_started",
        "action",
        "user",
        "action",
        "bot",
        "action",
        "user",
    ]


async def test_events_written_by_another_replica_are_seen(store_config: dict[str, Any]) -> None:
    replica_a, replica_b, turns, sender = cached(store_config), cached(store_config), Turns(), uuid.uuid4().hex
    await one_message(replica_a, sender, [*turns.session_start(), *turns.turn("hi", "Hello!")])
    await one_message(replica_a, sender, turns.turn("one", "1"))
    after_b = await one_message(replica_b, sender, turns.turn("two", "2"))

    seen_by_a = await one_message(replica_a, sender, turns.turn("three", "3"))

    assert [event.text for event in seen_by_a.events if isinstance(event, UserUttered)] == ["hi", "one", "two", "three"]
    assert dicts(seen_by_a)[: len(after_b.events)] == dicts(after_b)
    assert dicts(await referee(store_config).retrieve(sender)) == dicts(seen_by_a)


async def test_a_turn_that_failed_before_saving_leaves_nothing_behind(store_config: dict[str, Any]) -> None:
    store, turns, sender = cached(store_config), Turns(), uuid.uuid4().hex
    saved = await one_message(store, sender, [*turns.session_start(), *turns.turn("hi", "Hello!")])
    saved_events = dicts(saved)
    tracker = await store.retrieve(sender)
    assert tracker is not None
    for event in turns.turn("this turn crashes", "never sent"):  # changed in memory, never saved
        tracker.update(event)

    assert dicts(await store.retrieve(sender)) == saved_events


async def test_a_new_session_reads_back_only_the_new_session(store_config: dict[str, Any]) -> None:
    store, rasa_store, turns, sender = cached(store_config), referee(store_config), Turns(), uuid.uuid4().hex
    await one_message(store, sender, [*turns.session_start(), *turns.turn("hi", "Hello!")])
    await one_message(store, sender, [*turns.session_start(), *turns.turn("back again", "Welcome back!")])

    tracker = await store.retrieve(sender)

    assert dicts(tracker) == dicts(await rasa_store.retrieve(sender))
    assert [event.text for event in tracker.events if isinstance(event, UserUttered)] == ["back again"]


async def test_a_small_cache_forgets_old_conversations_and_reads_them_back(store_config: dict[str, Any]) -> None:
    store, turns = cached(store_config, cache_size=1), Turns()
    senders = [uuid.uuid4().hex for _ in range(3)]
    for sender in senders:
        await one_message(store, sender, [*turns.session_start(), *turns.turn("hi", "Hello!")])
    for sender in senders:
        await one_message(store, sender, turns.turn(f"I am {sender}", "Noted."))
    assert len(store._saved) == 1
    rasa_store = referee(store_config)
    for sender in senders:
        texts = [event.text for event in (await rasa_store.retrieve(sender)).events if isinstance(event, UserUttered)]
        assert texts == ["hi", f"I am {sender}"]


async def test_an_unknown_conversation_is_none(store_config: dict[str, Any]) -> None:
    assert await cached(store_config).retrieve(uuid.uuid4().hex) is None
