"""The web chat channel: a websocket with a REST fallback, both speaking the same message format.

A hello writes nothing: the id in the welcome names a conversation that is stored
with its first message, so connections that never say anything leave no rows.
Messages and new conversations count against the abuse limits (handoff.limits)
before anything is stored; over a limit the customer gets an error frame in words
and that message back as not sent, and nothing already accepted is dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from crm_store.db import unit_of_work
from crm_store.repositories import ConversationRepository
from handoff.channels.web.tokens import verify_customer
from handoff.client_address import client_address
from handoff.conversation_access import may_join
from handoff.edge import id_number, json_object_body
from handoff.errors import GatewayError, InvalidMessage, InvalidToken
from handoff.hub import RESYNC
from handoff.keys import DESK, HUB, LIMITER, ROUTER, SESSIONS, SETTINGS
from handoff.limits import Rule
from handoff.origins import refuse_foreign_origin
from handoff.router import ChannelUser, new_conversation_id
from handoff.schemas import MAX_FRAME_BYTES, MAX_TEXT, SESSION_ID, parse_customer_message, parse_hello

logger = logging.getLogger(__name__)
HELLO_TIMEOUT_S = 20
# Frames up to this size are read, so an oversized message is answered in words; past it aiohttp closes (1009).
MAX_SOCKET_FRAME_BYTES = 1024 * 1024
CUSTOMER_TOKEN_HEADER = "X-Customer-Token"  # noqa: S105 (a header name)
TOO_FAST = "You're sending messages faster than we can read them. Please wait {wait} and send it again."
TOO_MANY_CONVERSATIONS = "Too many new conversations from your network. Please wait {wait} and try again."
# asyncio keeps only weak references to tasks: hold them until they finish.
_background_tasks: set[asyncio.Task[Any]] = set()


def _in_background(coroutine: Any) -> None:
    task = asyncio.create_task(coroutine)
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)


def _customer_from_token(request: web.Request, token: str | None) -> int | None:
    if not token:
        return None
    return verify_customer(request.app[SETTINGS].widget_secret, token)


def _error_frame(error: GatewayError, client_id: str | None = None) -> dict[str, Any]:
    frame = {"type": "error", "code": error.code, "message": error.message}
    if client_id:
        frame["client_id"] = client_id
    return frame


def _parse_frame(raw: str) -> dict[str, Any]:
    try:
        frame = json.loads(raw)
    except json.JSONDecodeError:
        raise InvalidMessage("frame is not JSON") from None
    except RecursionError:  # nested deeper than any real frame: the handler must live on to say so
        raise InvalidMessage("frame is nested too deeply") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise InvalidMessage("frame must be a JSON object with a type")
    if len(raw.encode()) > MAX_FRAME_BYTES:
        # Parsed anyway (the socket caps the size) so the refusal names the message it is about.
        client_id = frame.get("client_id")
        raise MessageTooLong(
            f"That message is too long: messages can be at most {MAX_TEXT} characters.",
            client_id if isinstance(client_id, str) else None,
        )
    return frame


class MessageTooLong(InvalidMessage):
    def __init__(self, message: str, client_id: str | None) -> None:
        super().__init__(message)
        self.client_id = client_id


@dataclass
class _Chat:
    """One websocket's conversation: whether it is stored yet, and who counts against the limits."""

    conversation_id: str
    stored: bool
    user: ChannelUser
    address: str
    connection: str = ""

    def __post_init__(self) -> None:
        self.connection = self.connection or secrets.token_hex(8)


async def _joinable(request: web.Request, session_id: str | None, customer_id: int | None) -> bool:
    if not session_id:
        return False
    async with unit_of_work(request.app[SESSIONS]) as session:
        existing = await ConversationRepository(session).get(session_id)
        return may_join(existing, "web", customer_id)


async def _count_message(request: web.Request, chat: _Chat) -> None:
    """Count one message (and the conversation, when it is the first); RateLimited counts none of it."""
    limiter = request.app[LIMITER]
    rules: list[tuple[Rule, str]] = [
        (limiter.messages_per_connection, chat.connection),
        (limiter.messages_per_address, chat.address),
    ]
    if not chat.stored:
        await limiter.check(limiter.new_conversations, chat.address, TOO_MANY_CONVERSATIONS)
        rules.append((limiter.new_conversations, chat.address))
    await limiter.take(rules, TOO_FAST)


async def websocket(request: web.Request) -> web.WebSocketResponse:
    refuse_foreign_origin(request)
    socket = web.WebSocketResponse(heartbeat=25, max_msg_size=MAX_SOCKET_FRAME_BYTES)
    await socket.prepare(request)
    router, hub = request.app[ROUTER], request.app[HUB]
    try:
        first = await socket.receive(timeout=HELLO_TIMEOUT_S)
    except asyncio.TimeoutError:
        await socket.close(message=b"hello expected")
        return socket
    try:
        if first.type != WSMsgType.TEXT:
            raise InvalidMessage("the first frame must be a hello")
        frame = _parse_frame(first.data)
        if frame["type"] != "hello":
            raise InvalidMessage("the first frame must be a hello")
        hello = parse_hello(frame)
        customer_id = _customer_from_token(request, hello.customer_token)
    except GatewayError as error:
        await socket.send_json(_error_frame(error))
        await socket.close()
        return socket

    user = ChannelUser("web", hello.session_id or "", customer_id)
    if await _joinable(request, hello.session_id, customer_id):
        chat = _Chat(await router.open_conversation(hello.session_id, user), True, user, client_address(request))
    else:
        chat = _Chat(new_conversation_id(), False, user, client_address(request))
    async with hub.subscribe(chat.conversation_id) as events:
        history = await router.history(chat.conversation_id) if chat.stored else []
        await socket.send_json({"type": "welcome", "session_id": chat.conversation_id, "history": history})
        if chat.stored:
            # Answer anything stored but not yet answered (e.g. the gateway restarted mid-reply).
            _in_background(router.process_pending(chat.conversation_id))
        sender = asyncio.create_task(_forward_events(socket, events, router, chat, _last_id(history)))
        try:
            async for incoming in socket:
                if incoming.type != WSMsgType.TEXT:
                    continue
                await _handle_frame(request, socket, chat, incoming.data)
        finally:
            sender.cancel()
    return socket


def _last_id(frames: list[Any], before: int | None = None) -> int | None:
    """The newest stored message among ``frames`` (typing and other frames carry no id), or ``before``."""
    ids = [f["id"] for f in frames if isinstance(f.get("id"), int)]
    if before is not None:
        ids.append(before)
    return max(ids, default=None)


async def _forward_events(
    socket: web.WebSocketResponse,
    events: asyncio.Queue[dict[str, Any]],
    router: Any,
    chat: _Chat,
    last_sent_id: int | None,
) -> None:
    """The conversation's events to the customer; after a resync, what was stored since the last message sent."""
    while not socket.closed:
        event = await events.get()
        if event == RESYNC:
            if not chat.stored:
                continue
            # Replies another replica produced while Redis was unreachable never came as events.
            missed = await router.history(chat.conversation_id, after_id=last_sent_id)
        else:
            missed = [event]
        try:
            for frame in missed:
                await socket.send_json(frame)
        except ConnectionResetError:
            return
        last_sent_id = _last_id(missed, last_sent_id)


async def _handle_frame(request: web.Request, socket: web.WebSocketResponse, chat: _Chat, raw: str) -> None:
    router = request.app[ROUTER]
    client_id = None
    try:
        frame = _parse_frame(raw)
        client_id = frame.get("client_id") if isinstance(frame.get("client_id"), str) else None
        if frame["type"] == "message":
            message = parse_customer_message(frame)
            await _count_message(request, chat)
            if not chat.stored:
                await router.open_conversation(None, chat.user, new_id=chat.conversation_id)
                chat.stored = True
            # Stored before the next frame is read, so the conversation keeps the order they were sent in;
            # answered in the background so typing frames and further messages keep flowing.
            await router.receive(chat.conversation_id, message, answer=False)
            _in_background(_answer_logged(router, chat.conversation_id))
        elif frame["type"] == "typing":
            # The customer's typing, shown to the agent who has the conversation.
            if chat.stored:
                await request.app[DESK].customer_typing(chat.conversation_id, bool(frame.get("on")))
        else:
            raise InvalidMessage(f"unknown frame type {frame['type']!r}")
    except MessageTooLong as error:
        await socket.send_json(_error_frame(error, error.client_id))
    except GatewayError as error:
        await socket.send_json(_error_frame(error, client_id))


async def _answer_logged(router: Any, conversation_id: str) -> None:
    try:
        await router.process_pending(conversation_id)
    except Exception:
        logger.exception("conversation %s: answering failed", conversation_id)
        raise


# REST fallback -----------------------------------------------------------------


async def post_message(request: web.Request) -> web.Response:
    router, limiter = request.app[ROUTER], request.app[LIMITER]
    body = await json_object_body(request, MAX_FRAME_BYTES)
    hello = parse_hello(body)
    message = parse_customer_message(body)
    customer_id = _customer_from_token(request, hello.customer_token)
    address = client_address(request)
    if await _joinable(request, hello.session_id, customer_id):
        assert hello.session_id is not None
        # Without a socket, the conversation stands in for the connection.
        rules = [(limiter.messages_per_connection, hello.session_id), (limiter.messages_per_address, address)]
    else:
        await limiter.check(limiter.new_conversations, address, TOO_MANY_CONVERSATIONS)
        rules = [(limiter.new_conversations, address), (limiter.messages_per_address, address)]
    await limiter.take(rules, TOO_FAST)
    conversation_id = await router.open_conversation(
        hello.session_id, ChannelUser("web", hello.session_id or "", customer_id)
    )
    stored = await router.receive(conversation_id, message)
    messages = await router.history(conversation_id, after_id=stored["id"] - 1)
    return web.json_response({"session_id": conversation_id, "messages": messages})


async def get_history(request: web.Request) -> web.Response:
    """What the widget polls on REST; a conversation it may not open looks like one with nothing in it yet."""
    session_id = request.query.get("session_id", "")
    if not SESSION_ID.match(session_id):
        raise InvalidMessage("session_id is missing or malformed")
    after = request.query.get("after")
    if after is not None and not (after.isascii() and after.isdigit()):
        raise InvalidMessage("after must be a message id")
    if after is not None:
        id_number(int(after), "after")  # beyond a database integer the query itself would fail
    customer_id = _customer_from_token(request, request.headers.get(CUSTOMER_TOKEN_HEADER))
    messages = []
    if await _joinable(request, session_id, customer_id):
        messages = await request.app[ROUTER].history(session_id, after_id=int(after) if after else None)
    return web.json_response({"session_id": session_id, "messages": messages})


def routes() -> list[web.RouteDef]:
    return [
        web.get("/ws/chat", websocket),
        web.post("/api/chat/messages", post_message),
        web.get("/api/chat/history", get_history),
    ]


__all__ = ["InvalidToken", "routes"]
