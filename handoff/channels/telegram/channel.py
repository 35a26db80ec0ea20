"""Telegram users get the same bot and the same agents as web users.

Inbound: every update is stored under its update id before anything else, so
a redelivered update is recognised and processed once; answering happens in
the background, one conversation at a time (the router's lock). Outbound:
whatever the hub publishes for a ``tg-`` conversation is queued per chat and
sent by handoff.channels.telegram.delivery. The channel's own messages (the
/start tip, "that button has expired", "your message was shortened") are stored
in the conversation like any reply, so every outbound message is tracked: sent
in order, retried, marked delivered once Telegram took it, re-sent after a
restart only if it was not, and a long reply's pieces already sent are not
sent again.

Replicas (``REDIS_URL`` set): every replica connects the bot, so each can send the
replies it produces (the hub calls a replica's listeners for its own events only).
In polling mode only the holder of the Redis lease ``telegram-poller`` polls, and it
alone re-sends what was stored but not delivered, when it takes the lease; another
replica takes over within the lease's TTL plus a retry (20 s with the defaults) when
the poller dies. Webhook mode needs no lease: nginx hands each call to any replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import exc
from sqlalchemy.orm import sessionmaker
from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from crm_store.db import unit_of_work
from crm_store.models import Conversation, Message
from crm_store.models.base import utcnow
from crm_store.repositories import ConversationRepository, CustomerRepository
from handoff import notices
from handoff.channels.telegram.delivery import ChatQueues
from handoff.channels.telegram.formatting import keyboard, parse_callback_data, render, split_message
from handoff.channels.telegram.polling_watch import WatchedPollRequest
from handoff.channels.telegram.updates import parse_update
from handoff.cluster.lease import DEFAULT_RENEW_EVERY_S, DEFAULT_RETRY_EVERY_S, DEFAULT_TTL_S, LeaseKeeper, RedisLease
from handoff.edge import json_object_body
from handoff.errors import NotFound
from handoff.hub import Hub
from handoff.keys import SETTINGS, TELEGRAM
from handoff.router import ConversationRouter, outbound
from handoff.schemas import MAX_TEXT, CustomerMessage
from handoff.settings import Settings
from knowledge_base import catalogue
from knowledge_base.language import DEFAULT_LANGUAGE, normalise

logger = logging.getLogger(__name__)
CONVERSATION_PREFIX = "tg-"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
WEBHOOK_PATH = "/telegram/webhook"
RESEND_WINDOW = timedelta(hours=24)
START_RETRY_FIRST_S = 2.0
START_RETRY_MAX_S = 60.0
POLLER_LEASE = "telegram-poller"
STANDBY = "standby (another replica polls)"
# Reply keyboards a channel message may carry, by the name stored in its payload.
SHARE_CONTACT, REMOVE_KEYBOARD = "share_contact", "remove"
KEYBOARD_KEY, PIECES_KEY = "telegram_keyboard", "telegram_pieces_sent"


def conversation_id_for(chat_id: int) -> str:
    return f"{CONVERSATION_PREFIX}{chat_id}"


def chat_id_of(conversation_id: str) -> int | None:
    raw = conversation_id.removeprefix(CONVERSATION_PREFIX)
    return int(raw) if conversation_id.startswith(CONVERSATION_PREFIX) and re.fullmatch(r"-?\d+", raw) else None


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


class TelegramChannel:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker,
        router: ConversationRouter,
        hub: Hub,
        *,
        lease_ttl_s: float = DEFAULT_TTL_S,
        lease_renew_every_s: float = DEFAULT_RENEW_EVERY_S,
        lease_retry_every_s: float = DEFAULT_RETRY_EVERY_S,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.router = router
        self.hub = hub
        self.queues = ChatQueues(settings.telegram_chat_interval)
        builder: ApplicationBuilder = (
            ApplicationBuilder().token(settings.telegram_bot_token).base_url(settings.telegram_api_url)
        )
        self.poll = WatchedPollRequest()
        if settings.telegram_mode == "webhook":
            builder = builder.updater(None)
        else:
            builder = builder.get_updates_request(self.poll)
        self.app: Application = builder.build()
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self._tasks: set[asyncio.Task[Any]] = set()
        self._starter: asyncio.Task[None] | None = None
        self._state = "not started"
        # Messages in this replica's send queues: a resend must not queue them a second time.
        self._queued: set[int] = set()
        # Several replicas poll one at a time, by turns of a lease; one process alone (no Redis) always polls.
        self.poller_lease: LeaseKeeper | None = None
        if settings.telegram_mode == "polling" and settings.redis_url:
            self.poller_lease = LeaseKeeper(
                RedisLease(settings.redis_url, POLLER_LEASE, ttl_s=lease_ttl_s, renew_every_s=lease_renew_every_s),
                on_acquired=self._become_poller,
                on_lost=self._stop_polling,
                retry_every_s=lease_retry_every_s,
            )

    # Lifecycle --------------------------------------------------------------------------

    def start_in_background(self) -> None:
        """Connect now and, while Telegram cannot be reached (getMe, webhook, polling), retry with back-off."""
        self._starter = asyncio.create_task(self._start_with_retries())

    async def _start_with_retries(self) -> None:
        delay = START_RETRY_FIRST_S
        while True:
            try:
                await self.start()
                return
            except (TelegramError, OSError) as error:
                self._state = f"unreachable, retrying in {delay:g} s ({error.__class__.__name__}: {error})"
                logger.warning("telegram: %s", self._state)
                with contextlib.suppress(TelegramError, OSError, RuntimeError):
                    await self.app.shutdown()  # so the next attempt initialises from scratch
            await asyncio.sleep(delay)
            delay = min(START_RETRY_MAX_S, delay * 2)

    @property
    def state(self) -> str:
        """For the health endpoints: "up", a standby's "standby (another replica polls)", or what is wrong in words."""
        if self._state == "up" and self.app.updater is not None:
            if self.poller_lease is not None and not self.poller_lease.held:
                if self.poller_lease.take_up_failure is not None:  # it held the lease but could not start polling
                    return f"unreachable, retrying ({self.poller_lease.take_up_failure})"
                if self.poller_lease.failure is not None:
                    return f"standby (Redis unreachable, retrying: {self.poller_lease.failure})"
                return STANDBY
            if not self.app.updater.running and self.poller_lease is not None:
                return "taking over polling"  # it holds the lease; polling starts, or stops as the lease goes
            if not self.app.updater.running:
                return "polling stopped"
            if self.poll.failure is not None:
                return f"unreachable, retrying ({self.poll.failure})"
        return self._state

    async def start(self) -> None:
        self._state = "connecting"
        await self.app.initialize()
        await self.app.start()
        if self.settings.telegram_mode == "webhook":
            await self.app.bot.set_webhook(
                f"{self.settings.public_url}{WEBHOOK_PATH}", secret_token=self.settings.telegram_webhook_secret
            )
        elif self.poller_lease is None:
            await self._start_polling()
        self.hub.add_listener(self._on_event)
        if self.poller_lease is None:
            await self._resend_undelivered()
        else:  # the poller re-sends when it takes the lease: one replica, not all of them
            self.poller_lease.start()
        self._state = "up"
        logger.info("telegram: %s as @%s", self.settings.telegram_mode, self.app.bot.username)

    async def _start_polling(self) -> None:
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0.0, timeout=10, drop_pending_updates=False)

    async def _become_poller(self) -> None:
        """This replica holds the poller's lease: poll, and re-send what a poller before it left undelivered.

        Telegram unreachable: the error reaches the lease keeper, which releases the lease and tries again.
        """
        await self._start_polling()
        logger.info("telegram: this replica polls now (it holds the lease %r)", POLLER_LEASE)
        await self._resend_undelivered()

    async def _stop_polling(self) -> None:
        """The lease is gone (or being let go): stop polling so that two replicas do not poll for long."""
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()  # its last getUpdates confirms what was fetched; errors there are logged
            logger.warning("telegram: this replica stopped polling; another replica may poll now")

    async def stop(self) -> None:
        if self._starter is not None and not self._starter.done():
            self._starter.cancel()
            await asyncio.gather(self._starter, return_exceptions=True)
        if self.poller_lease is not None:
            await self.poller_lease.stop()  # stops polling, then lets the lease go so a standby polls at once
        if self._state != "up":
            with contextlib.suppress(TelegramError, OSError, RuntimeError):
                await self.app.shutdown()
            return
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        await self.queues.drain()
        await self.queues.close()
        await self.app.stop()
        await self.app.shutdown()

    def _background(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # Inbound ------------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        """Telegram's webhook: the secret header is checked in constant time before anything is read or written."""
        sent = request.headers.get(SECRET_HEADER, "")
        if not self.settings.telegram_webhook_secret or not hmac.compare_digest(
            sent.encode(), self.settings.telegram_webhook_secret.encode()
        ):
            return web.json_response({"error": "forbidden", "message": "bad or missing secret token"}, status=403)
        update = parse_update(await json_object_body(request), self.app.bot)
        await self.app.update_queue.put(update)
        return web.json_response({"ok": True})

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            if update.callback_query is not None:
                await self._on_button(update)
            elif update.message is not None:
                await self._on_message(update)
        except Exception:
            logger.exception("telegram update %s failed", update.update_id)

    async def _on_message(self, update: Update) -> None:
        message, user = update.message, update.effective_user
        assert message is not None
        if user is None or message.chat.type != "private":
            return
        conversation_id = await self.router.open_channel_conversation(
            conversation_id_for(message.chat.id),
            "telegram",
            str(user.id),
            user.full_name,
            normalise(user.language_code),
        )
        if message.contact is not None:
            await self._on_contact(update, conversation_id)
            return
        text = (message.text or "").strip()
        if not text:
            await self._say(message.chat.id, "utter_telegram_text_only", once_for=(update, "text-only"))
            return
        payload = None
        if text.startswith("/start"):
            # A greeting, as a payload: "hi" would be read as English and outvote Telegram's language_code.
            text, payload = "/start", "/greet"
            await self._say(message.chat.id, "utter_telegram_link_hint", SHARE_CONTACT, once_for=(update, "start-tip"))
        if len(text) > MAX_TEXT:
            # Telegram allows 4,096 characters; the chat keeps 2,000. Say so rather than answer half a message.
            await self._say(
                message.chat.id,
                "utter_telegram_shortened",
                once_for=(update, "shortened"),
                length=len(text),
                limit=MAX_TEXT,
            )
        await self._store_and_answer(
            conversation_id, CustomerMessage(f"update-{update.update_id}", text[:MAX_TEXT], payload)
        )

    async def _on_button(self, update: Update) -> None:
        query = update.callback_query
        assert query is not None
        try:
            await query.answer()  # stops the button's spinner at once
        except TelegramError as error:
            logger.warning("telegram: could not answer callback query: %s", error)
        if query.message is None or query.from_user is None:
            return
        chat_id = query.message.chat.id
        parsed = parse_callback_data(query.data)
        button = await self._stored_button(conversation_id_for(chat_id), parsed) if parsed else None
        if button is None:
            await self._say(chat_id, "utter_telegram_button_expired", once_for=(update, "expired"))
            return
        conversation_id = await self.router.open_channel_conversation(
            conversation_id_for(chat_id),
            "telegram",
            str(query.from_user.id),
            query.from_user.full_name,
            normalise(query.from_user.language_code),
        )
        await self._store_and_answer(
            conversation_id, CustomerMessage(f"update-{update.update_id}", button["title"], button["payload"])
        )

    async def _stored_button(self, conversation_id: str, parsed: tuple[int, int]) -> dict[str, str] | None:
        message_id, index = parsed
        async with unit_of_work(self.sessions) as session:
            message = await session.get(Message, message_id)
        if message is None or message.conversation_id != conversation_id:
            return None
        buttons = (message.payload or {}).get("buttons") or []
        return buttons[index] if index < len(buttons) else None

    async def _store_and_answer(self, conversation_id: str, incoming: CustomerMessage) -> None:
        await self.router.receive(conversation_id, incoming, answer=False)
        self._background(self.router.process_pending(conversation_id))

    async def _on_contact(self, update: Update, conversation_id: str) -> None:
        message, user = update.message, update.effective_user
        assert message is not None and message.contact is not None and user is not None
        if message.contact.user_id != user.id:
            await self._say(message.chat.id, "utter_telegram_own_contact", once_for=(update, "contact"))
            return
        phone = digits(message.contact.phone_number)
        async with unit_of_work(self.sessions) as session:
            customers = CustomerRepository(session)
            customer = await customers.by_phone("+" + phone)
            if customer is not None:
                identity = await customers.link_identity("telegram", str(user.id), customer.id, verified=True)
                conversation = await session.get(Conversation, conversation_id)
                if conversation is not None:
                    conversation.customer_id = customer.id
                    conversation.channel_identity_id = identity.id
        if customer is None:
            await self._say(message.chat.id, "utter_telegram_no_account", REMOVE_KEYBOARD, once_for=(update, "contact"))
        else:
            await self._say(
                message.chat.id,
                "utter_telegram_linked",
                REMOVE_KEYBOARD,
                once_for=(update, "contact"),
                name=customer.first_name,
            )

    # Outbound -------------------------------------------------------------------------------

    def _on_event(self, topic: str, event: dict[str, Any]) -> None:
        chat_id = chat_id_of(topic)
        if chat_id is None:
            return
        if event.get("type") == "message" and event.get("sender") in ("bot", "agent", "system"):
            self._enqueue(chat_id, event)
        elif event.get("type") == "typing" and event.get("on") and event.get("sender") in ("bot", "agent"):
            self._background(self._typing(chat_id))

    def _enqueue(
        self, chat_id: int, event: dict[str, Any], reply_keyboard: str | None = None, already_sent: int = 0
    ) -> None:
        message_id = int(event["id"])
        html_text = render(event.get("text") or "", agent_name=event.get("agent_name"), sender=event["sender"])
        pieces = split_message(html_text)
        markup = keyboard(message_id, event.get("buttons") or []) or reply_markup(reply_keyboard)

        sent = [already_sent]  # pieces accepted: a retry or a restart after a partial send must not repeat them

        async def send() -> None:
            while sent[0] < len(pieces):
                last = sent[0] == len(pieces) - 1
                await self.app.bot.send_message(
                    chat_id, pieces[sent[0]] or "…", parse_mode=ParseMode.HTML, reply_markup=markup if last else None
                )
                sent[0] += 1
                if not last:
                    await self._record_pieces(message_id, sent[0])

        async def delivered() -> None:
            async with unit_of_work(self.sessions) as session:
                stored = await session.get(Message, message_id)
                if stored is not None:
                    stored.delivered_at = utcnow()
            self._queued.discard(message_id)

        self._queued.add(message_id)  # one given up on stays: resending it would fail the same way
        self.queues.put(chat_id, send, delivered)

    async def _record_pieces(self, message_id: int, count: int) -> None:
        async with unit_of_work(self.sessions) as session:
            stored = await session.get(Message, message_id)
            if stored is not None:
                stored.payload = {**(stored.payload or {}), PIECES_KEY: count}

    async def _say(
        self,
        chat_id: int,
        response: str,
        reply_keyboard: str | None = None,
        *,
        once_for: tuple[Update, str],
        **values: Any,
    ) -> None:
        """A message of the channel's own (``response`` in the catalogue, in the conversation's language), stored in
        the chat's conversation so it is delivered like a reply.

        Said once per update and purpose (``once_for``): an update fetched again (a poller died before
        confirming it, and the next one fetches it) is stored again only to find the first one, and
        what the channel said about it is not said twice either.
        """
        update, purpose = once_for
        try:
            async with unit_of_work(self.sessions) as session:
                conversation = await session.get(Conversation, conversation_id_for(chat_id))
                if conversation is None:  # no conversation yet (a group chat, say): nothing to keep it in
                    logger.warning("telegram chat %s: no conversation to keep %s in; not sent", chat_id, response)
                    return
                text = notices.notice(conversation, response, **values)
                language = notices.language_of(conversation)
                if reply_keyboard == SHARE_CONTACT and language != DEFAULT_LANGUAGE:  # its button speaks it too
                    reply_keyboard = f"{SHARE_CONTACT}:{language}"
                payload = {KEYBOARD_KEY: reply_keyboard} if reply_keyboard else None
                stored = await ConversationRepository(session).add_message(
                    conversation,
                    "system",
                    text,
                    payload=payload,
                    channel_message_id=f"update-{update.update_id}:{purpose}",
                )
                event = dict(outbound(stored))
        except exc.IntegrityError:
            logger.info("telegram update %s seen again: %s was said already", update.update_id, purpose)
            return
        self._enqueue(chat_id, event, reply_keyboard)

    async def _typing(self, chat_id: int) -> None:
        with contextlib.suppress(TelegramError):  # a missing "typing…" is not worth a retry
            await self.app.bot.send_chat_action(chat_id, ChatAction.TYPING)

    async def _resend_undelivered(self) -> None:
        async with unit_of_work(self.sessions) as session:
            pending = await ConversationRepository(session).undelivered("telegram", utcnow() - RESEND_WINDOW)
        for message in pending:
            chat_id = chat_id_of(message.conversation_id)
            if chat_id is not None and message.id not in self._queued:
                payload = message.payload or {}
                self._enqueue(
                    chat_id, dict(outbound(message)), payload.get(KEYBOARD_KEY), int(payload.get(PIECES_KEY) or 0)
                )


def reply_markup(name: str | None) -> ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """The reply keyboard a stored message names: ``share_contact`` (with ``:zh`` in Chinese) or ``remove``."""
    keyboard, _, language = (name or "").partition(":")
    if keyboard == SHARE_CONTACT:
        title = catalogue.text("utter_telegram_share_button", language or DEFAULT_LANGUAGE)
        return ReplyKeyboardMarkup(
            [[KeyboardButton(title, request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    return ReplyKeyboardRemove() if name == REMOVE_KEYBOARD else None


async def telegram_webhook(request: web.Request) -> web.Response:
    channel = request.app.get(TELEGRAM)
    if channel is None or request.app[SETTINGS].telegram_mode != "webhook":
        raise NotFound("the Telegram webhook is not enabled")
    return await channel.webhook(request)


def routes() -> list[web.RouteDef]:
    return [web.post(WEBHOOK_PATH, telegram_webhook)]


__all__ = ["WEBHOOK_PATH", "TelegramChannel", "routes"]
