"""Keeping customer segments fresh: hourly in the gateway, and on demand (``deskbot segments recompute``).

Every replica runs the schedule; the recomputation itself is idempotent and, on PostgreSQL, takes an
advisory lock first (crm_store.repositories.segments), so when two replicas' hours coincide one
recomputes and the other skips; a replica also skips when another recomputed within the last
54 minutes, so N replicas still recompute about once an hour, not N times. The first run is at start-up, so a fresh ``deskbot run`` shows segments.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from crm_store import clock
from crm_store.db import unit_of_work
from crm_store.errors import StoreError
from crm_store.repositories.segments import Recomputed, SegmentRepository
from handoff.keys import SESSIONS

logger = logging.getLogger(__name__)
RECOMPUTE_EVERY = timedelta(hours=1)


# A scheduled run skips when another replica recomputed within this share of the period; under 1, so a
# replica's own previous run (a full period ago, give or take a scheduling delay) never makes it skip.
FRESH_SHARE = 0.9


async def recompute_segments(sessions: sessionmaker, unless_within: timedelta | None = None) -> Recomputed | None:
    """One recomputation as of now; None when another replica is doing it (or did, within ``unless_within``)."""
    async with unit_of_work(sessions) as session:
        return await SegmentRepository(session).recompute(clock.now(), unless_within=unless_within)


class SegmentSchedule:
    def __init__(self, sessions: sessionmaker, every: timedelta = RECOMPUTE_EVERY) -> None:
        self.sessions = sessions
        self.every = every
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="segment-schedule")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            try:
                result = await recompute_segments(self.sessions, unless_within=self.every * FRESH_SHARE)
            except (StoreError, SQLAlchemyError, OSError) as error:  # the database is away: retry next time
                logger.error("segments: recomputation failed: %s", error)
            else:
                if result is None:
                    logger.info("segments: another replica recomputed them, or is doing so")
                else:
                    logger.info("segments: recomputed for %d customers", result.customers)
            await asyncio.sleep(self.every.total_seconds())


async def segment_schedule(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context, after the shared resources (it needs the sessions)."""
    schedule = SegmentSchedule(app[SESSIONS])
    schedule.start()
    yield
    await schedule.stop()


__all__ = ["RECOMPUTE_EVERY", "SegmentSchedule", "recompute_segments", "segment_schedule"]
