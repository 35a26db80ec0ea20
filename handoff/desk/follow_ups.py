"""Follow-up visits: asking the customer, some days after a resolved ticket, whether it is sorted.

Scheduled by the state machine when it resolves a ticket whose reason has a rule (``follow_ups`` in
escalation.yml). When one falls due, ``send_due`` stores the question in the conversation, with
Yes / No buttons, and publishes it: an open web widget shows it, a reconnecting one finds it in its
history, and the Telegram channel pushes it like any stored reply (re-sent after a restart if it never
reached Telegram). Claiming and storing are one transaction guarded by ``state = 'scheduled'``, so of
several gateways exactly one sends it, and a gateway that dies before committing leaves it for the next.

The customer's answer comes back as a quick-reply payload, or as a typed reply the router reads as one
of the buttons just offered (``read_typed_answer``: "yes it came", "not yet", "还没收到"; an unclear reply
goes to the bot as any message does). The router hands ``/follow_up_answer{…}``
and ``/follow_up_rating{…}`` to this module instead of Rasa: the follow-up, its ticket and the new
ticket a "no" opens all live in the gateway's database, and a Rasa intent plus a custom action would
only call back into the gateway for them (a second process, a tracker to keep in step, and an answer
that depends on NLU for a button whose meaning is already exact). "Yes" asks for a rating, stored on
the follow-up and as the conversation's CSAT; "No" opens a ticket with the conversation's history and
the earlier ticket in its context.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import sessionmaker

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Customer, FollowUp, Message, Ticket
from crm_store.models.base import utcnow
from crm_store.repositories import ConversationRepository, FollowUpRepository, TicketRepository
from handoff import notices
from handoff.desk import typed_answers
from handoff.desk.service import Desk
from handoff.hub import Hub
from handoff.router import TypedReplyReader, outbound
from knowledge_base import catalogue
from knowledge_base.language import DEFAULT_LANGUAGE

logger = logging.getLogger(__name__)
ANSWER_INTENT, RATING_INTENT = "follow_up_answer", "follow_up_rating"
YES, NO = "yes", "no"
RATINGS = range(1, 6)
# What the customer is told, by response name in the catalogue (bot/domain.yml), in their language.
ASK_RATING = "utter_follow_up_ask_rating"
THANKS_FOR_RATING = "utter_follow_up_thanks_for_rating"
SORRY_REOPENED = "utter_follow_up_reopened"
ALREADY_WITH_PEOPLE = "utter_follow_up_already_with_people"
NO_LONGER_OPEN = "utter_follow_up_no_longer_open"


@dataclass(frozen=True)
class FollowUpReply:
    """A quick reply to a follow-up, as parsed from its payload."""

    follow_up_id: int
    answer: str | None = None
    rating: int | None = None


def _payload(intent: str, entities: dict[str, Any]) -> str:
    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}"


def question_buttons(follow_up_id: int, language: str = DEFAULT_LANGUAGE) -> list[dict[str, str]]:
    return [
        {
            "title": catalogue.text("utter_follow_up_button_yes", language),
            "payload": _payload(ANSWER_INTENT, {"follow_up": follow_up_id, "answer": YES}),
        },
        {
            "title": catalogue.text("utter_follow_up_button_no", language),
            "payload": _payload(ANSWER_INTENT, {"follow_up": follow_up_id, "answer": NO}),
        },
    ]


def rating_buttons(follow_up_id: int) -> list[dict[str, str]]:
    return [
        {"title": "★" * score, "payload": _payload(RATING_INTENT, {"follow_up": follow_up_id, "rating": score})}
        for score in RATINGS
    ]


def parse_reply(payload: str) -> FollowUpReply | None:
    """The reply a payload carries, or None when it is not one of ours (a customer can send any payload)."""
    _, _, body = payload.partition("{")
    try:
        entities = json.loads("{" + body)
    except ValueError:
        return None
    follow_up_id = entities.get("follow_up") if isinstance(entities, dict) else None
    if not isinstance(follow_up_id, int) or isinstance(follow_up_id, bool):
        return None
    if payload.startswith(f"/{ANSWER_INTENT}{{") and entities.get("answer") in (YES, NO):
        return FollowUpReply(follow_up_id, answer=entities["answer"])
    rating = entities.get("rating")
    if payload.startswith(f"/{RATING_INTENT}{{") and not isinstance(rating, bool) and rating in RATINGS:
        return FollowUpReply(follow_up_id, rating=rating)
    return None


def read_typed_answer(text: str, offered: list[dict[str, Any]]) -> str | None:
    """The Yes or No button a typed reply means ("it came, thanks", "还没收到"), or None when it is not clear."""
    answer = typed_answers.yes_or_no(text)
    return _offered(offered, lambda reply: answer is not None and reply.answer == answer)


def read_typed_rating(text: str, offered: list[dict[str, Any]]) -> str | None:
    """The rating button a typed "4" or "5 stars" means, or None."""
    score = typed_answers.rating(text)
    return _offered(offered, lambda reply: score is not None and reply.rating == score)


def _offered(offered: list[dict[str, Any]], wanted: Callable[[FollowUpReply], bool]) -> str | None:
    for button in offered:
        payload = button.get("payload")
        reply = parse_reply(payload) if isinstance(payload, str) else None
        if reply is not None and wanted(reply):
            return payload  # type: ignore[return-value]
    return None


class FollowUpVisits:
    def __init__(self, sessions: sessionmaker, hub: Hub, desk: Desk) -> None:
        self.sessions = sessions
        self.hub = hub
        self.desk = desk
        desk.router.gateway_replies[ANSWER_INTENT] = self.on_answer
        desk.router.gateway_replies[RATING_INTENT] = self.on_rating
        desk.router.typed_replies[ANSWER_INTENT] = TypedReplyReader(
            lambda text: typed_answers.yes_or_no(text) is not None, read_typed_answer
        )
        desk.router.typed_replies[RATING_INTENT] = TypedReplyReader(
            lambda text: typed_answers.rating(text) is not None, read_typed_rating
        )

    # Sending --------------------------------------------------------------------------------

    async def send_due(self) -> int:
        """Send every follow-up that is due and that no other gateway has sent; returns how many this one sent."""
        now = utcnow()
        async with unit_of_work(self.sessions) as session:
            due = await FollowUpRepository(session).due_ids(now)
        sent = 0
        for follow_up_id in due:
            message = await self._claim_and_store(follow_up_id)
            if message is not None:
                self.hub.publish(message.conversation_id, dict(outbound(message)))
                sent += 1
        return sent

    async def _claim_and_store(self, follow_up_id: int) -> Message | None:
        now = utcnow()
        async with unit_of_work(self.sessions) as session:
            follow_ups = FollowUpRepository(session)
            follow_up = await follow_ups.get(follow_up_id)
            if follow_up is None:
                return None
            if await TicketRepository(session).open_for_conversation(follow_up.conversation_id) is not None:
                # A person has the conversation again: "is everything sorted?" would be out of place now.
                await follow_ups.move(follow_up_id, "scheduled", "cancelled")
                return None
            if not await follow_ups.move(follow_up_id, "scheduled", "sent", sent_at=now):
                return None  # another gateway claimed it first
            conversation = await session.get(Conversation, follow_up.conversation_id)
            assert conversation is not None  # the foreign key cascades
            message = await ConversationRepository(session).add_message(
                conversation,
                "bot",
                follow_up.text,
                payload={"buttons": question_buttons(follow_up_id, notices.language_of(conversation))},
                at=now,
            )
            follow_up.message_id = message.id
        logger.info("follow-up %s sent in conversation %s", follow_up_id, message.conversation_id)
        return message

    # Answers (called by the router, under the conversation's lock) ------------------------------

    async def on_answer(self, conversation_id: str, payload: str) -> None:
        reply = parse_reply(payload)
        with self._typing(conversation_id):
            if reply is None or reply.answer is None:
                await self._say(conversation_id, NO_LONGER_OPEN)
            elif reply.answer == YES:
                await self._answered_yes(conversation_id, reply.follow_up_id)
            else:
                await self._answered_no(conversation_id, reply.follow_up_id)

    async def on_rating(self, conversation_id: str, payload: str) -> None:
        reply = parse_reply(payload)
        with self._typing(conversation_id):
            stored = False
            if reply is not None and reply.rating is not None:
                async with unit_of_work(self.sessions) as session:
                    stored = await FollowUpRepository(session).rate(reply.follow_up_id, conversation_id, reply.rating)
                    conversation = await session.get(Conversation, conversation_id)
                    if stored and conversation is not None:
                        # Like the rating after a hand-back: the customer's latest word on how we served them.
                        await ConversationRepository(session).set_rating(conversation, reply.rating)
            await self._say(conversation_id, THANKS_FOR_RATING if stored else NO_LONGER_OPEN)

    async def _answered_yes(self, conversation_id: str, follow_up_id: int) -> None:
        async with unit_of_work(self.sessions) as session:
            answered = await self._move_own(session, follow_up_id, conversation_id, "answered_yes")
        if answered:
            await self._say(conversation_id, ASK_RATING, rating_buttons(follow_up_id))
        else:
            await self._say(conversation_id, NO_LONGER_OPEN)

    async def _answered_no(self, conversation_id: str, follow_up_id: int) -> None:
        async with unit_of_work(self.sessions) as session:
            answered = await self._move_own(session, follow_up_id, conversation_id, "answered_no")
            follow_up = await session.get(FollowUp, follow_up_id)
            earlier = await session.get(Ticket, follow_up.ticket_id) if follow_up else None
            with_people = await TicketRepository(session).open_for_conversation(conversation_id) is not None
            customer = await session.get(Customer, earlier.customer_id) if earlier and earlier.customer_id else None
        if not answered or earlier is None:
            await self._say(conversation_id, NO_LONGER_OPEN)
            return
        if with_people:  # the customer is already back with a person: that ticket carries on, no second one
            await self._say(conversation_id, ALREADY_WITH_PEOPLE)
            return
        # The ticket first, then the words: the customer is told it is reopened only once it is.
        reopened = await self.desk.escalate(
            conversation_id,
            earlier.reason,
            tier=customer.tier if customer else None,
            extra_context={"reopened_from": _earlier_ticket(earlier, follow_up_id)},
        )
        async with unit_of_work(self.sessions) as session:
            await FollowUpRepository(session).move(
                follow_up_id, "answered_no", "reopened", reopened_ticket_id=reopened.id
            )
        await self._say(conversation_id, SORRY_REOPENED)
        logger.info(
            "follow-up %s: the customer said no; ticket %s reopens ticket %s", follow_up_id, reopened.id, earlier.id
        )

    async def _move_own(self, session: Any, follow_up_id: int, conversation_id: str, state: str) -> bool:
        """Answer a follow-up that was sent in this conversation (a payload naming another one changes nothing)."""
        follow_up = await FollowUpRepository(session).get(follow_up_id)
        if follow_up is None or follow_up.conversation_id != conversation_id:
            return False
        return await FollowUpRepository(session).move(follow_up_id, "sent", state, answered_at=utcnow())

    # Helpers ----------------------------------------------------------------------------------

    def _typing(self, conversation_id: str) -> _Typing:
        return _Typing(self.hub, conversation_id)

    async def _say(self, conversation_id: str, response: str, buttons: list[dict[str, str]] | None = None) -> None:
        """``response`` from the catalogue, in the conversation's language."""
        async with unit_of_work(self.sessions) as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None:
                return
            message = await ConversationRepository(session).add_message(
                conversation,
                "bot",
                notices.notice(conversation, response),
                payload={"buttons": buttons} if buttons else None,
            )
        self.hub.publish(conversation_id, dict(outbound(message)))


class _Typing:
    """'Typing…' around a gateway reply, as around the bot's: a client waiting for 'typing off' has the reply."""

    def __init__(self, hub: Hub, conversation_id: str) -> None:
        self.hub, self.conversation_id = hub, conversation_id

    def __enter__(self) -> None:
        self.hub.publish(self.conversation_id, {"type": "typing", "sender": "bot", "on": True})

    def __exit__(self, *exc_info: object) -> None:
        self.hub.publish(self.conversation_id, {"type": "typing", "sender": "bot", "on": False})


def _earlier_ticket(ticket: Ticket, follow_up_id: int) -> dict[str, Any]:
    return {
        "ticket_id": ticket.id,
        "reason": ticket.reason,
        "resolution": ticket.resolution,
        "resolved_at": ticket.resolved_at.isoformat() if ticket.resolved_at else None,
        "follow_up_id": follow_up_id,
    }


__all__ = ["ANSWER_INTENT", "RATING_INTENT", "FollowUpVisits", "parse_reply", "question_buttons", "rating_buttons"]
