"""A message the gateway sends again is answered once.

The gateway stores a customer's message, sends it to Rasa, then stores the replies. If it dies in between
(or Rasa's answer is lost), the message is still unanswered in its database, and a restarted or another
gateway sends it again. Rasa must not run that turn a second time: a form would ask its next question
and the customer would read a different conversation. So the gateway names each message
(``message_id``) and marks one it may have sent before (``redelivery``); for such a message this hands
back the replies recorded after it in the tracker, under the conversation's lock. It runs the turn when
the tracker has no such message, or when the recorded turn said nothing: that is a turn whose action
failed (a hung action server killed mid-turn, tests/e2e/test_supervision.py), and the customer is owed
an answer, not its silence again. A first send is not looked up, so the usual path costs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, Event, UserUttered

from bot.delivery import MESSAGE_ID, REDELIVERY

logger = logging.getLogger(__name__)


def is_redelivery(message: UserMessage) -> bool:
    metadata = message.metadata or {}
    return bool(metadata.get(REDELIVERY)) and metadata.get(MESSAGE_ID) is not None


def replies_recorded_for(events: Iterable[Event], message_id: Any) -> list[dict[str, Any]] | None:
    """What the bot said after the user message with this id; None when the events hold no such message."""
    found = False
    replies: list[dict[str, Any]] = []
    for event in events:
        if isinstance(event, UserUttered):
            if found:
                break
            found = (event.metadata or {}).get(MESSAGE_ID) == message_id
        elif found and isinstance(event, BotUttered):
            replies.append(event.message())  # what Rasa gave the output channel the first time
    return replies if found else None


async def handle_once(agent: Agent, message: UserMessage) -> None:
    """``Agent.handle_message`` for a redelivered message: the recorded replies if the turn already ran."""
    if not agent.is_ready() or agent.processor is None:
        return
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        replies = replies_recorded_for(tracker.events if tracker else [], (message.metadata or {})[MESSAGE_ID])
        if not replies:  # never seen, or seen and not answered: run the turn
            await agent.processor.handle_message(message)  # the lock is held, as Agent.handle_message would
            return
        logger.info(
            "conversation %s: message sent again; replaying its %d recorded replies", message.sender_id, len(replies)
        )
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, reply)


__all__ = ["handle_once", "is_redelivery", "replies_recorded_for"]
