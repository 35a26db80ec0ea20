"""The web chat: websocket and REST endpoints, signed customer tokens, the demo shop and its sign-in, and a
client that speaks the widget's protocol (used by the tests and the chat benchmark)."""

from __future__ import annotations

from aiohttp.web import AbstractRouteDef


def routes(*, demo_mode: bool) -> list[AbstractRouteDef]:
    from handoff.channels.web import chat, demo, shop

    return [*chat.routes(), *shop.routes(), *(demo.routes() if demo_mode else [])]
