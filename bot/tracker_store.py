"""Rasa's SQL tracker store, with the conversations it just saved kept in memory.

Rasa's ``SQLTrackerStore`` rebuilds a conversation's tracker from the database for every message
(every event parsed from JSON and replayed) and counts the stored events again before every save:
about 40% of Rasa's time per chat message (docs/perf/README.md, issue 15). This store keeps the
tracker it saved last for each recent conversation and hands that very object out next time, after
one indexed query that proves the database holds nothing newer (a replica sharing the database, or
a restart, shows as a different last event id). Anything doubtful falls back to Rasa's own path:
a tracker changed since it was saved (a turn that failed before saving), or one whose unsaved events
start a new conversation session (Rasa reads back only the latest session, so reading it back is
what keeps both paths giving the same tracker).

On SQLite it also pools the connection and turns on WAL with ``synchronous=NORMAL`` (Rasa opens the
file anew for every transaction and waits for the disk on every commit).
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

from crm_store.db import tune_sqlite

DEFAULT_CACHE_SIZE = 1000  # conversations kept; a tracker of a few dozen events is tens of kB


@dataclass
class _Saved:
    tracker: DialogueStateTracker
    events: int  # how many of the tracker's events the database holds
    last_id: int | None  # the id of the conversation's newest stored event


class CachedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, cache_size: int = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rasa_engine: sa.engine.Engine = self.engine  # type: ignore[has-type]  # untyped in Rasa
        if rasa_engine.dialect.name == "sqlite":
            self._pool_sqlite(rasa_engine)
        self.cache_size = int(cache_size)
        self._saved: OrderedDict[str, _Saved] = OrderedDict()
        self.hits = self.misses = 0

    def _pool_sqlite(self, rasa_engine: sa.engine.Engine) -> None:
        # Rasa calls the store from its event loop thread only; the pool may still hand a connection to
        # another thread at shutdown, hence check_same_thread off.
        rasa_engine.dispose()
        self.engine = sa.create_engine(
            rasa_engine.url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False}
        )
        sa.event.listen(self.engine, "connect", tune_sqlite)
        self.sessionmaker = sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        saved = self._saved.pop(sender_id, None)
        with self.session_scope() as session:
            last_id = self._last_event_id(session, sender_id)
        if saved is not None and saved.last_id == last_id and len(saved.tracker.events) == saved.events:
            self.hits += 1
            self._saved[sender_id] = saved  # the caller changes it; save() then knows what is stored
            return saved.tracker
        self.misses += 1
        if last_id is None:
            return None
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._saved[sender_id] = _Saved(tracker, len(tracker.events), last_id)
            self._evict()
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        saved = self._saved.pop(sender_id, None)
        with self.session_scope() as session:
            if saved is not None and saved.tracker is tracker:
                stored, last_id = saved.events, saved.last_id
            else:
                stored, last_id = self._stored_events(session, tracker), None
            new_events = list(itertools.islice(tracker.events, stored, None))
            rows = [self._row(sender_id, event) for event in new_events]
            session.add_all(rows)
            session.flush()
            last_id = rows[-1].id if rows else (last_id or self._last_event_id(session, sender_id))
            session.commit()
        if not any(isinstance(event, SessionStarted) for event in new_events):
            self._saved[sender_id] = _Saved(tracker, len(tracker.events), last_id)
            self._evict()

    def _row(self, sender_id: str, event: Any) -> SQLTrackerStore.SQLEvent:
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def _stored_events(self, session: Any, tracker: DialogueStateTracker) -> int:
        """Rasa's own count: the stored events of the conversation's latest session."""
        return int(self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count())

    def _last_event_id(self, session: Any, sender_id: str) -> int | None:
        return session.query(sa.func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id).scalar()

    def _evict(self) -> None:
        while len(self._saved) > self.cache_size:
            self._saved.popitem(last=False)
