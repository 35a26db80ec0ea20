"""Whether Telegram answers the bot's long poll right now, for the health endpoints.

python-telegram-bot retries a failing getUpdates on its own, quietly and for ever, so the
application looks "up" through an outage. The poll's own connection is watched instead: its
last answer tells whether Telegram is reachable, and the first good answer after an outage
clears the report without waiting for a customer to write.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)


class WatchedPollRequest(HTTPXRequest):
    """The getUpdates connection (one, as python-telegram-bot's default), remembering its last failure."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=1, **kwargs)
        self.failure: str | None = None  # what went wrong with the last poll, None while Telegram answers

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            status, body = await super().do_request(*args, **kwargs)
        except Exception as error:  # every way the poll can fail reaches the caller unchanged
            self._failed(f"{error.__class__.__name__}: {error}")
            raise
        if status >= 500:
            self._failed(f"Telegram answered HTTP {status}")
        elif self.failure is not None:
            logger.warning("telegram: polling answers again after an outage (%s)", self.failure)
            self.failure = None
        return status, body

    def _failed(self, why: str) -> None:
        if self.failure is None:
            logger.warning("telegram: polling failing, python-telegram-bot retries: %s", why)
        self.failure = why
