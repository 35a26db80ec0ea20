"""Sending to Telegram: one ordered queue per chat, paced, with RetryAfter honoured and network errors retried.

A message is marked delivered only after Telegram accepted it; anything not
delivered (the gateway stopped) is sent again at start-up. A network error of any
kind (timeouts, resets, Telegram's own 5xx) is retried with back-off for as long
as the gateway runs: the chat's later messages wait behind it, so they never
overtake it, and nothing is dropped because Telegram was away for a while.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

logger = logging.getLogger(__name__)
FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 60.0

Send = Callable[[], Awaitable[None]]


def retry_after_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class ChatQueues:
    """Per-chat FIFO workers; chats do not wait for each other, messages within a chat never overtake."""

    def __init__(self, min_interval_s: float, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.min_interval_s = min_interval_s
        self.sleep = sleep
        self._queues: dict[int, asyncio.Queue[tuple[Send, Callable[[], Awaitable[None]]]]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}

    def put(self, chat_id: int, send: Send, on_delivered: Callable[[], Awaitable[None]]) -> None:
        queue = self._queues.get(chat_id)
        if queue is None:
            queue = self._queues[chat_id] = asyncio.Queue()
            self._workers[chat_id] = asyncio.create_task(self._work(chat_id, queue))
        queue.put_nowait((send, on_delivered))

    async def drain(self) -> None:
        """Wait until everything queued so far was sent (or given up on)."""
        await asyncio.gather(*(queue.join() for queue in list(self._queues.values())))

    async def close(self) -> None:
        for worker in self._workers.values():
            worker.cancel()
        await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def _work(self, chat_id: int, queue: asyncio.Queue[tuple[Send, Callable[[], Awaitable[None]]]]) -> None:
        loop = asyncio.get_running_loop()
        last_sent = 0.0
        while True:
            send, on_delivered = await queue.get()
            try:
                wait = self.min_interval_s - (loop.time() - last_sent)
                if wait > 0:
                    await self.sleep(wait)
                if await self._send_with_retries(chat_id, send):
                    await on_delivered()
                last_sent = loop.time()
            except Exception:
                logger.exception("telegram chat %s: delivery failed", chat_id)
            finally:
                queue.task_done()

    async def _send_with_retries(self, chat_id: int, send: Send) -> bool:
        backoff = FIRST_BACKOFF_S
        attempt = 0
        while True:
            attempt += 1
            try:
                await send()
                return True
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                logger.warning("telegram chat %s: flood control, waiting %.1f s as Telegram asks", chat_id, seconds)
                await self.sleep(seconds)
            except (BadRequest, Forbidden) as error:
                # Not going to work on retry: blocked by the user, chat gone, malformed message.
                logger.error("telegram chat %s: %s; giving up on this message", chat_id, error)
                return False
            except NetworkError as error:  # TimedOut and Telegram's 5xx included
                log = logger.warning if attempt < 4 else logger.error
                log("telegram chat %s: %s (attempt %d); retrying in %.1f s", chat_id, error, attempt, backoff)
                await self.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
