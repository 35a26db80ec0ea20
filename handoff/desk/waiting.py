"""Messages that wait for the bot: answered when it is back, or handed to a person after a while.

While Rasa or the action server is down the router stores each customer message, says "one
moment" once and leaves it unanswered. This loop looks again with back-off (1 s doubling to 10 s,
back to 1 s once nothing waits) and, when the bot answers, drains each waiting conversation in order
(the router's per-conversation lock, across replicas too, so nothing is answered twice). A conversation whose oldest
waiting message is older than ``handoff_after`` goes to the queue as a ticket instead: its messages
then reach the agents through the router, as any message of a queued conversation does.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy.orm import sessionmaker

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Customer
from crm_store.models.base import utcnow
from crm_store.repositories import ConversationRepository
from handoff.desk.service import Desk
from handoff.rasa_client import RasaClient
from handoff.router import ConversationRouter

logger = logging.getLogger(__name__)
REASON = "bot_unavailable"
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 10.0


class WaitingMessages:
    def __init__(
        self,
        sessions: sessionmaker,
        router: ConversationRouter,
        rasa: RasaClient,
        desk: Desk,
        handoff_after: timedelta,
    ) -> None:
        self.sessions = sessions
        self.router = router
        self.rasa = rasa
        self.desk = desk
        self.handoff_after = handoff_after
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        delay = FIRST_DELAY_S
        while True:
            await asyncio.sleep(delay)
            waiting = await self.check_once()
            delay = min(MAX_DELAY_S, delay * 2) if waiting else FIRST_DELAY_S

    async def check_once(self) -> int:
        """One pass; returns how many conversations still wait for the bot afterwards."""
        async with unit_of_work(self.sessions) as session:
            pending = await ConversationRepository(session).conversations_with_unprocessed_messages()
        if not pending:
            return 0
        # A parse, not /status: a Rasa that has just restarted reports its model long before it answers.
        if await self.rasa.actions_healthy() and await self.rasa.parse("hello") is not None:
            # One at a time: after an outage the bot gets the backlog in order, not all at once.
            for conversation_id in pending:
                await self.router.process_pending(conversation_id)
        for conversation_id in pending:
            await self._hand_over_if_waited_too_long(conversation_id)
        async with unit_of_work(self.sessions) as session:
            return len(await ConversationRepository(session).conversations_with_unprocessed_messages())

    async def _hand_over_if_waited_too_long(self, conversation_id: str) -> None:
        # Under the conversation's lock: a replica answering it right now (the bot is back) finishes first,
        # and every replica's loop decides on what the others left, so only one of them hands it over.
        async with self.router.conversation_lock(conversation_id):
            handed_over = await self._hand_over_if_still_waiting(conversation_id)
        if handed_over:
            # Queued now: the router passes the waiting messages to the people, each once.
            await self.router.process_pending(conversation_id)

    async def _hand_over_if_still_waiting(self, conversation_id: str) -> bool:
        async with unit_of_work(self.sessions) as session:
            oldest = await ConversationRepository(session).unprocessed_customer_messages(conversation_id, limit=1)
            conversation = await session.get(Conversation, conversation_id)
            customer = (
                await session.get(Customer, conversation.customer_id)
                if conversation is not None and conversation.customer_id
                else None
            )
        if not oldest or conversation is None or conversation.state != "bot":
            return False
        if utcnow() - oldest[0].created_at < self.handoff_after:
            return False
        logger.warning(
            "conversation %s waited %s for the bot: handing it to a person", conversation_id, self.handoff_after
        )
        await self.desk.escalate(conversation_id, REASON, tier=customer.tier if customer else None)
        return True


__all__ = ["WaitingMessages"]
