"""The gateway's background loop that sends due follow-up visits (handoff.desk.follow_ups).

Every gateway replica runs one; the database decides which of them sends each follow-up. It looks
at start-up (so a follow-up that fell due while every gateway was down goes out at once) and then
every ``every_s`` seconds, by the product's clock for what is due; ``wake()`` makes it look now
(tests that move the clock, and anything that knows a follow-up just fell due).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.exc import SQLAlchemyError

from handoff.desk.follow_ups import FollowUpVisits

logger = logging.getLogger(__name__)
CHECK_EVERY_S = 30.0


class FollowUpScheduler:
    def __init__(self, visits: FollowUpVisits, every_s: float = CHECK_EVERY_S) -> None:
        self.visits = visits
        self.every_s = every_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.passes = 0  # completed passes, for whoever waits for one after wake()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.visits.send_due()
            except SQLAlchemyError:
                # The database is briefly unreachable: nothing was claimed, the next pass tries again.
                logger.exception("follow-ups: a pass failed; trying again in %.0f s", self.every_s)
            self.passes += 1
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.every_s)


__all__ = ["FollowUpScheduler"]
