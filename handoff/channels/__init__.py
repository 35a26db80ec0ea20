"""Where customers reach us: the web chat and Telegram, each turning its own protocol into router calls."""

from __future__ import annotations

from aiohttp.web import AbstractRouteDef  # not `web`: that name is our web-chat subpackage here


def routes(*, demo_mode: bool) -> list[AbstractRouteDef]:
    from handoff.channels import telegram
    from handoff.channels import web as web_chat

    return [*web_chat.routes(demo_mode=demo_mode), *telegram.routes()]
