"""The conversation router: every inbound message is stored first, then handled in order.

One conversation's messages are processed one at a time in the order they
were stored: whoever holds the conversation's lock drains every unprocessed
customer message, oldest first. A crash between storing and answering loses
nothing; the next message (or a restart's recovery pass) picks it up.

The lock (``handoff.cluster.conversation_lock``) holds across gateway replicas on PostgreSQL
and within the process on SQLite. Marking a message processed happens under it, in the
transaction that stores the replies, so a replica that waited finds nothing left to answer.
That transaction also re-checks the mark under a row lock: a holder whose lock was taken from
it (its connection cut) then drops its late replies instead of answering a message twice.
Rasa, for its part, may already have run a turn whose replies were never stored (the sending
gateway died): a message this process did not store itself goes out marked as a possible
redelivery, and Rasa's channel answers it from the tracker instead of running it again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc
from sqlalchemy.orm import sessionmaker

from bot.delivery import MESSAGE_ID, REDELIVERY
from crm_store.db import unit_of_work
from crm_store.models import ChannelIdentity, Conversation, Message
from crm_store.models.base import utcnow
from crm_store.repositories import ConversationRepository, CustomerRepository
from handoff import conversation_language, notices
from handoff.cluster.conversation_lock import ConversationLocks, conversation_locks_for
from handoff.conversation_access import may_join
from handoff.conversation_language import TurnLanguage
from handoff.errors import BotUnavailable, InvalidMessage
from handoff.hub import Hub
from handoff.rasa_client import BotReply, RasaClient
from handoff.schemas import CustomerMessage, OutboundMessage
from knowledge_base.language import CHINESE, DEFAULT_LANGUAGE, LANGUAGES, to_simplified, to_traditional

logger = logging.getLogger(__name__)


def new_conversation_id() -> str:
    return secrets.token_urlsafe(18)


def outbound(message: Message, agent_name: str | None = None) -> OutboundMessage:
    payload = message.payload or {}
    return {
        "type": "message",
        "id": message.id,
        "sender": message.sender,
        "text": message.text,
        "buttons": list(payload.get("buttons") or []),
        "at": message.created_at.isoformat(),
        "client_id": message.channel_message_id if message.sender == "customer" else None,
        "agent_name": agent_name,
    }


@dataclass(frozen=True)
class _Turn:
    """A customer message to handle next, with its conversation (as read) and the bot's metadata for it."""

    message: Message
    conversation: Conversation
    metadata: dict[str, Any]
    quick_reply: str | None = None  # the button pressed, or the one a typed reply was read as


class _Unavailable:
    """Rasa or the action server could not answer: the message waits for the next pass."""


BOT_UNAVAILABLE = _Unavailable()


@dataclass(frozen=True)
class ChannelUser:
    channel: str
    channel_user_id: str
    customer_id: int | None = None  # vouched for by the channel (signed token, linked account)


SignalHandler = Callable[[str, list[str]], Awaitable[None]]
HumanMessageHandler = Callable[[str, OutboundMessage], Awaitable[None]]
GatewayReplyHandler = Callable[[str, str], Awaitable[None]]  # (conversation id, the quick reply's payload)


@dataclass(frozen=True)
class TypedReplyReader:
    """How a typed reply is read as one of an intent's buttons. ``could_be_one`` looks at the text alone,
    so a message no reader could read (a question, a story) costs no look-up of the buttons offered."""

    could_be_one: Callable[[str], bool]
    # (typed text, the buttons just offered) -> the payload of the button it means, or None
    read: Callable[[str, list[dict[str, Any]]], str | None]


def _inbound_payload(incoming: CustomerMessage) -> dict[str, Any] | None:
    """What a customer message carries besides its text: the button pressed, a language chosen in the widget."""
    payload: dict[str, Any] = {}
    if incoming.payload:
        payload["quick_reply"] = incoming.payload
    if incoming.language:
        payload[conversation_language.CHOSEN_KEY] = incoming.language
    return payload or None


def _in_traditional(reply: BotReply) -> BotReply:
    """A bot reply in Traditional characters, for a customer who writes them (payloads stay as they are)."""
    converted = BotReply(**reply)
    if isinstance(reply.get("text"), str):
        converted["text"] = to_traditional(reply["text"])
    if isinstance(reply.get("buttons"), list):
        converted["buttons"] = [
            {**button, "title": to_traditional(button["title"])}
            if isinstance(button, dict) and isinstance(button.get("title"), str)
            else button
            for button in reply["buttons"]
        ]
    return converted


def with_language(payload: str, language: Any) -> str:
    """``/greet`` → ``/greet{"language":"zh"}``: Rasa runs no NLU on a payload, so the language entity (and the
    slot that picks the responses' language) travels in it. A payload whose entities do not parse is left alone."""
    if language not in LANGUAGES or not payload.startswith("/"):
        return payload
    intent, brace, body = payload[1:].partition("{")
    try:
        entities = json.loads("{" + body) if brace else {}
    except ValueError:
        return payload
    if not isinstance(entities, dict):
        return payload
    return f"/{intent}{json.dumps({**entities, 'language': language}, ensure_ascii=False, separators=(',', ':'))}"


def _intent_of(payload: Any) -> str:
    """``follow_up_answer`` for ``/follow_up_answer{…}``; "" for anything that is not such a payload."""
    if not isinstance(payload, str) or not payload.startswith("/"):
        return ""
    return payload[1:].split("{", 1)[0]


async def _ignore_signals(conversation_id: str, signals: list[str]) -> None:
    return None


async def _ignore_message(conversation_id: str, message: OutboundMessage) -> None:
    return None


class _StoredHere:
    """Customer messages this process stored and has not sent to Rasa yet: for these alone a send is surely the first.

    Bounded, because a message another process answers is never taken out.
    """

    LIMIT = 10_000

    def __init__(self) -> None:
        self._ids: OrderedDict[int, None] = OrderedDict()

    def add(self, message_id: int) -> None:
        self._ids[message_id] = None
        if len(self._ids) > self.LIMIT:
            self._ids.popitem(last=False)

    def take(self, message_id: int) -> bool:
        """Whether the message was stored here and not yet sent; from now on it counts as sent."""
        return self._ids.pop(message_id, False) is None


class ConversationRouter:
    """Routes by conversation state: ``bot`` goes to Rasa; ``queued`` / ``assigned`` go to the people."""

    def __init__(
        self, sessions: sessionmaker, rasa: RasaClient, hub: Hub, locks: ConversationLocks | None = None
    ) -> None:
        """``locks``: by default across replicas when the sessions' database is PostgreSQL, in-process otherwise."""
        self.sessions = sessions
        self.rasa = rasa
        self.hub = hub
        self.locks = locks if locks is not None else conversation_locks_for(sessions.kw.get("bind"))
        self._recovery: set[asyncio.Task[None]] = set()
        self._unsent = _StoredHere()
        # Set by the handoff desk: what the bot signalled (asked_for_agent, bot_failed, …), and
        # customer messages that arrive while a person has the conversation.
        self.on_signals: SignalHandler = _ignore_signals
        self.on_message_for_people: HumanMessageHandler = _ignore_message
        # Quick replies the gateway answers itself, by the payload's intent (``/follow_up_answer{…}``): what
        # they answer (a follow-up visit) lives in the gateway's database, not in Rasa's tracker.
        self.gateway_replies: dict[str, GatewayReplyHandler] = {}
        # Per such intent, how to read a typed reply as one of its buttons ("yes, it came" for "Yes, all sorted").
        self.typed_replies: dict[str, TypedReplyReader] = {}

    def conversation_lock(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        """The lock under which the conversation's messages are handled; not reentrant."""
        return self.locks.hold(conversation_id)

    async def close(self) -> None:
        """Release what the locks keep open (on PostgreSQL, their connections)."""
        await self.locks.close()

    async def open_conversation(self, conversation_id: str | None, user: ChannelUser, new_id: str | None = None) -> str:
        """The conversation to continue, or a new one (``new_id``: the id already given to the client)."""
        async with unit_of_work(self.sessions) as session:
            conversations = ConversationRepository(session)
            existing = await conversations.get(conversation_id) if conversation_id else None
            if existing is not None and may_join(existing, user.channel, user.customer_id):
                if user.customer_id is not None and existing.customer_id is None:
                    existing.customer_id = user.customer_id
                conversation = existing
            else:
                conversation = await conversations.get_or_create(
                    new_id or new_conversation_id(), user.channel, customer_id=user.customer_id
                )
            if user.customer_id is not None:
                identity = await CustomerRepository(session).link_identity(
                    user.channel,
                    conversation.id if user.channel == "web" else user.channel_user_id,
                    user.customer_id,
                    verified=True,
                )
                conversation.channel_identity_id = identity.id
            return conversation.id

    async def history(self, conversation_id: str, after_id: int | None = None) -> list[OutboundMessage]:
        async with unit_of_work(self.sessions) as session:
            messages = await ConversationRepository(session).messages(conversation_id, after_id=after_id)
        return [outbound(message) for message in messages]

    async def receive(self, conversation_id: str, incoming: CustomerMessage, *, answer: bool = True) -> OutboundMessage:
        """Store the customer's message (once, however often it is sent) and answer it in order.

        With ``answer=False`` only the storing happens now; the caller schedules ``process_pending``.
        """
        stored = await self._store_inbound(conversation_id, incoming)
        self.hub.publish(conversation_id, dict(stored))
        if answer:
            await self.process_pending(conversation_id)
        return stored

    async def open_channel_conversation(
        self,
        conversation_id: str,
        channel: str,
        channel_user_id: str,
        display_name: str | None,
        language_hint: str | None = None,
    ) -> str:
        """A conversation with a fixed id per channel chat (Telegram), tied to the sender's channel identity.

        ``language_hint`` (Telegram's language_code, normalised) answers in that language until a message says.
        """
        async with unit_of_work(self.sessions) as session:
            customers = CustomerRepository(session)
            identity = await customers.identity(channel, channel_user_id)
            if identity is None:
                identity = await customers.link_identity(channel, channel_user_id, None, verified=False)
                identity.display_name = display_name
            conversation = await ConversationRepository(session).get_or_create(
                conversation_id, channel, customer_id=identity.customer_id if identity.verified else None
            )
            conversation.channel_identity_id = identity.id
            if identity.verified and identity.customer_id and conversation.customer_id is None:
                conversation.customer_id = identity.customer_id
            if conversation.language is None and language_hint is not None:
                conversation.language = language_hint
            return conversation.id

    async def recover(self) -> int:
        """After a restart: answer every stored customer message that was never answered."""
        async with unit_of_work(self.sessions) as session:
            pending = await ConversationRepository(session).conversations_with_unprocessed_messages()
        for conversation_id in pending:
            task = asyncio.create_task(self.process_pending(conversation_id))
            self._recovery.add(task)
            task.add_done_callback(self._recovery.discard)
        return len(pending)

    async def _store_inbound(self, conversation_id: str, incoming: CustomerMessage) -> OutboundMessage:
        try:
            async with unit_of_work(self.sessions) as session:
                conversations = ConversationRepository(session)
                conversation = await conversations.get(conversation_id)
                if conversation is None:
                    raise InvalidMessage("session_id does not name a conversation; send hello first")
                message = await conversations.add_message(
                    conversation,
                    "customer",
                    incoming.text,
                    payload=_inbound_payload(incoming),
                    channel_message_id=incoming.client_id,
                )
                stored = outbound(message)
            self._unsent.add(stored["id"])
            return stored
        except exc.IntegrityError:
            # The same client_id again: a retry or a redelivery. Hand back what was stored the first time.
            async with unit_of_work(self.sessions) as session:
                conversation = await session.get(Conversation, conversation_id)
                channel = conversation.channel if conversation else "web"
                earlier = await ConversationRepository(session).message_by_channel_id(channel, incoming.client_id)
            if earlier is None or earlier.conversation_id != conversation_id:
                raise InvalidMessage("client_id was already used") from None
            return outbound(earlier)

    async def process_pending(self, conversation_id: str) -> None:
        async with self.conversation_lock(conversation_id):
            async with unit_of_work(self.sessions) as session:
                turn = await self._next_turn(session, conversation_id)
            while turn is not None:
                gateway_reply = self._gateway_reply(turn.quick_reply)
                if gateway_reply is not None or turn.conversation.state != "bot":
                    if not await self._mark_processed(turn.message.id):
                        return  # handled elsewhere meanwhile: this pass no longer owns the conversation
                    if gateway_reply is not None:
                        assert turn.quick_reply is not None
                        await gateway_reply(conversation_id, turn.quick_reply)
                    else:
                        await self.on_message_for_people(conversation_id, outbound(turn.message))
                    async with unit_of_work(self.sessions) as session:
                        turn = await self._next_turn(session, conversation_id)
                    continue
                outcome = await self._answer_with_bot(conversation_id, turn.message, turn.metadata)
                if isinstance(outcome, _Unavailable):
                    return
                turn = outcome

    def _gateway_reply(self, quick_reply: str | None) -> GatewayReplyHandler | None:
        return self.gateway_replies.get(_intent_of(quick_reply))

    async def _quick_reply(self, session: Any, message: Message) -> str | None:
        """The button the customer pressed; or, for a typed reply to buttons the gateway answers, the one it means."""
        pressed = (message.payload or {}).get("quick_reply")
        if isinstance(pressed, str):
            return pressed
        text = message.text
        if not text or not any(reader.could_be_one(text) for reader in self.typed_replies.values()):
            return None
        offered = await ConversationRepository(session).buttons_offered_before(message.conversation_id, message.id)
        for intent in dict.fromkeys(_intent_of(button.get("payload")) for button in offered):
            reader = self.typed_replies.get(intent)
            meant = reader.read(text, offered) if reader else None
            if meant is not None:
                return meant
        return None

    async def _next_turn(self, session: Any, conversation_id: str) -> _Turn | None:
        """The oldest customer message not yet handled, with its conversation; None when all are."""
        pending = await ConversationRepository(session).unprocessed_customer_messages(conversation_id, limit=1)
        if not pending:
            return None
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None:
            return None
        language = await self._language(session, conversation, pending[0])
        return _Turn(
            pending[0],
            conversation,
            {**await self._metadata(session, conversation), **language.metadata()},
            await self._quick_reply(session, pending[0]),
        )

    async def _language(self, session: Any, conversation: Conversation, message: Message) -> TurnLanguage:
        language = conversation_language.decide(conversation, message)
        if language != CHINESE:
            return TurnLanguage(language)
        earlier = await ConversationRepository(session).customer_messages_before(
            conversation.id, message.id, conversation_language.TRADITIONAL_AFTER
        )
        return TurnLanguage(language, conversation_language.writes_traditional([message, *earlier]))

    async def _metadata(self, session: Any, conversation: Conversation) -> dict[str, Any]:
        verified_customer = None
        channel_user_id = conversation.id
        if conversation.channel_identity_id is not None:
            identity = await session.get(ChannelIdentity, conversation.channel_identity_id)
            if identity is not None:
                channel_user_id = identity.channel_user_id
                if identity.verified:
                    verified_customer = identity.customer_id
        return {
            "channel": conversation.channel,
            "channel_user_id": channel_user_id,
            "conversation_id": conversation.id,
            "customer_id": verified_customer,
            "verified": verified_customer is not None,
        }

    async def _answer_with_bot(
        self, conversation_id: str, message: Message, metadata: dict[str, Any]
    ) -> _Turn | None | _Unavailable:
        """Send one message to Rasa and deliver the replies: the next turn, None, or BOT_UNAVAILABLE."""
        # The bot reads Simplified Chinese; Traditional input is converted (the stored message keeps what was typed).
        pressed = (message.payload or {}).get("quick_reply")
        text = with_language(pressed, metadata.get("language")) if pressed else to_simplified(message.text or "")
        self.hub.publish(conversation_id, {"type": "typing", "sender": "bot", "on": True})
        try:
            return await self._deliver_bot_replies(conversation_id, message, text, metadata)
        finally:
            # After the replies: a client that waits for "typing off" has every reply by then.
            self.hub.publish(conversation_id, {"type": "typing", "sender": "bot", "on": False})

    async def _deliver_bot_replies(
        self, conversation_id: str, message: Message | None, text: str, metadata: dict[str, Any]
    ) -> _Turn | None | _Unavailable:
        """Store and publish the bot's replies; then the next turn (None when there is none), or BOT_UNAVAILABLE.

        The transaction that stores the replies also finds the next turn, saving one per message,
        unless the bot signalled something: the desk may then change who answers (the state), so
        the next turn is read after it has acted.
        """
        if message is not None:
            metadata = {**metadata, MESSAGE_ID: message.id, REDELIVERY: not self._unsent.take(message.id)}
        try:
            replies = await self.rasa.send(conversation_id, text, metadata)
        except BotUnavailable as error:
            logger.error("conversation %s: %s", conversation_id, error)
            if message is not None:
                await self._say_system(conversation_id, "utter_gateway_one_moment", once_per=message.id)
            return BOT_UNAVAILABLE
        # What the bot reported for the escalation policy (asked_for_agent, bot_failed, …): not shown to anyone.
        signals = [
            str(reply["custom"]["signal"])
            for reply in replies
            if isinstance(reply.get("custom"), dict) and reply["custom"].get("signal")
        ]
        async with unit_of_work(self.sessions) as session:
            processed = None
            if message is not None:
                # Locked until commit, so of two passes that both reached here only one answers.
                processed = await session.get(Message, message.id, with_for_update=True)
                if processed is None or processed.processed_at is not None:
                    logger.warning(
                        "conversation %s: message %s was handled elsewhere meanwhile; dropping this reply",
                        conversation_id,
                        message.id,
                    )
                    return None
            conversations = ConversationRepository(session)
            conversation = await conversations.get(conversation_id)
            assert conversation is not None
            stored = []
            for reply in replies:
                if metadata.get("traditional"):
                    reply = _in_traditional(reply)
                payload = {"buttons": reply["buttons"]} if reply.get("buttons") else None
                if reply.get("text") or payload:
                    stored.append(
                        await conversations.add_message(conversation, "bot", reply.get("text"), payload=payload)
                    )
            if processed is not None:
                processed.processed_at = utcnow()
                if "bot_failed" in signals:
                    # Trainers see these as "questions the bot could not answer".
                    processed.payload = {**(processed.payload or {}), "unanswered": True}
                if "asked_for_agent" in signals:
                    # Not a question: the queue and the trainer look past it to what the customer asked.
                    processed.payload = {**(processed.payload or {}), "asked_for_agent": True}
            if not stored and not signals and message is not None:
                # Rasa answered nothing (e.g. the action server is down): never leave the customer hanging.
                logger.error("conversation %s: the bot returned no reply", conversation_id)
                no_reply = notices.notice(conversation, "utter_gateway_no_reply")
                stored.append(await conversations.add_message(conversation, "system", no_reply))
                signals = ["bot_failed"]
            # Consecutive failed turns feed the escalation policy; any other answer resets the count.
            conversation.failed_turns = (conversation.failed_turns or 0) + 1 if "bot_failed" in signals else 0
            reads_on = message is not None and not signals  # tell_bot (no message) handles no turns
            turn = await self._next_turn(session, conversation_id) if reads_on else None
        for bot_message in stored:
            self.hub.publish(conversation_id, dict(outbound(bot_message)))
        if signals:
            await self.on_signals(conversation_id, signals)
            if message is not None:
                async with unit_of_work(self.sessions) as session:
                    turn = await self._next_turn(session, conversation_id)
        return turn

    async def tell_bot(self, conversation_id: str, event_payload: str) -> None:
        """Tell Rasa something happened outside the chat (e.g. '/agent_handback'); its replies are delivered."""
        async with self.conversation_lock(conversation_id):
            async with unit_of_work(self.sessions) as session:
                conversation = await session.get(Conversation, conversation_id)
                metadata = await self._metadata(session, conversation) if conversation else {}
            if conversation is None:
                return
            metadata["language"] = conversation.language or DEFAULT_LANGUAGE  # answered as the last turn was
            self.hub.publish(conversation_id, {"type": "typing", "sender": "bot", "on": True})
            try:
                await self._deliver_bot_replies(conversation_id, None, event_payload, metadata)
            finally:
                self.hub.publish(conversation_id, {"type": "typing", "sender": "bot", "on": False})

    async def _mark_processed(self, message_id: int) -> bool:
        """Mark a customer message handled; False when it already was (another pass got there first)."""
        async with unit_of_work(self.sessions) as session:
            message = await session.get(Message, message_id, with_for_update=True)
            if message is None or message.processed_at is not None:
                return False
            message.processed_at = utcnow()
        self._unsent.take(message_id)  # answered without Rasa: nothing will be sent
        return True

    async def _say_system(self, conversation_id: str, response: str, *, once_per: int) -> None:
        async with unit_of_work(self.sessions) as session:
            conversations = ConversationRepository(session)
            conversation = await conversations.get(conversation_id)
            if conversation is None:
                return
            text = notices.notice(conversation, response)
            recent = await conversations.messages(conversation_id, after_id=once_per)
            if any(item.sender == "system" and item.text == text for item in recent):
                return
            message = await conversations.add_message(conversation, "system", text)
        self.hub.publish(conversation_id, dict(outbound(message)))
