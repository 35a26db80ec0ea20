"""The web chat channel: a websocket with a REST fallback, both speaking the same message format."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import WSMsgType, web

from handoff.channels.web.tokens import verify_customer
from handoff.edge import json_object_body
from handoff.errors import GatewayError, InvalidMessage, InvalidToken
from handoff.keys import DESK, HUB, ROUTER, SETTINGS
from handoff.router import ChannelUser
from handoff.schemas import MAX_FRAME_BYTES, SESSION_ID, parse_customer_message, parse_hello

logger = logging.getLogger(__name__)
HELLO_TIMEOUT_S = 20
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
    if len(raw.encode()) > MAX_FRAME_BYTES:
        raise InvalidMessage(f"frame is larger than {MAX_FRAME_BYTES} bytes")
    try:
        frame = json.loads(raw)
    except json.JSONDecodeError:
        raise InvalidMessage("frame is not JSON") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise InvalidMessage("frame must be a JSON object with a type")
    return frame


async def websocket(request: web.Request) -> web.WebSocketResponse:
    socket = web.WebSocketResponse(heartbeat=25, max_msg_size=MAX_FRAME_BYTES * 2)
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

    conversation_id = await router.open_conversation(
        hello.session_id, ChannelUser("web", hello.session_id or "", customer_id)
    )
    async with hub.subscribe(conversation_id) as events:
        await socket.send_json(
            {"type": "welcome", "session_id": conversation_id, "history": await router.history(conversation_id)}
        )
        # Answer anything stored but not yet answered (e.g. the gateway restarted mid-reply).
        _in_background(router.process_pending(conversation_id))
        sender = asyncio.create_task(_forward_events(socket, events))
        try:
            async for incoming in socket:
                if incoming.type != WSMsgType.TEXT:
                    continue
                await _handle_frame(request, socket, conversation_id, incoming.data)
        finally:
            sender.cancel()
    return socket


async def _forward_events(socket: web.WebSocketResponse, events: asyncio.Queue[dict[str, Any]]) -> None:
    while not socket.closed:
        event = await events.get()
        try:
            await socket.send_json(event)
        except ConnectionResetError:
            return


async def _handle_frame(request: web.Request, socket: web.WebSocketResponse, conversation_id: str, raw: str) -> None:
    router = request.app[ROUTER]
    client_id = None
    try:
        frame = _parse_frame(raw)
        client_id = frame.get("client_id") if isinstance(frame.get("client_id"), str) else None
        if frame["type"] == "message":
            message = parse_customer_message(frame)
            # Handled in the background so typing frames and further messages keep flowing;
            # the router keeps the conversation's order.
            _in_background(_receive_logged(router, conversation_id, message))
        elif frame["type"] == "typing":
            # The customer's typing, shown to the agent who has the conversation.
            await request.app[DESK].customer_typing(conversation_id, bool(frame.get("on")))
        else:
            raise InvalidMessage(f"unknown frame type {frame['type']!r}")
    except GatewayError as error:
        await socket.send_json(_error_frame(error, client_id))


async def _receive_logged(router: Any, conversation_id: str, message: Any) -> None:
    try:
        await router.receive(conversation_id, message)
    except GatewayError as error:
        router.hub.publish(conversation_id, _error_frame(error, message.client_id))
    except Exception:
        logger.exception("conversation %s: message %s failed", conversation_id, message.client_id)
        raise


# REST fallback -----------------------------------------------------------------


async def post_message(request: web.Request) -> web.Response:
    router = request.app[ROUTER]
    body = await json_object_body(request, MAX_FRAME_BYTES)
    hello = parse_hello(body)
    message = parse_customer_message(body)
    customer_id = _customer_from_token(request, hello.customer_token)
    conversation_id = await router.open_conversation(
        hello.session_id, ChannelUser("web", hello.session_id or "", customer_id)
    )
    stored = await router.receive(conversation_id, message)
    messages = await router.history(conversation_id, after_id=stored["id"] - 1)
    return web.json_response({"session_id": conversation_id, "messages": messages})


async def get_history(request: web.Request) -> web.Response:
    session_id = request.query.get("session_id", "")
    if not SESSION_ID.match(session_id):
        raise InvalidMessage("session_id is missing or malformed")
    after = request.query.get("after")
    if after is not None and not after.isdigit():
        raise InvalidMessage("after must be a message id")
    router = request.app[ROUTER]
    async_history = await router.history(session_id, after_id=int(after) if after else None)
    return web.json_response({"session_id": session_id, "messages": async_history})


def routes() -> list[web.RouteDef]:
    return [
        web.get("/ws/chat", websocket),
        web.post("/api/chat/messages", post_message),
        web.get("/api/chat/history", get_history),
    ]


__all__ = ["InvalidToken", "routes"]
