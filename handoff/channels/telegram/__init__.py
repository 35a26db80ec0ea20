"""The Telegram channel, built on python-telegram-bot: polling by default, webhook optional."""

from __future__ import annotations

from aiohttp import web


def routes() -> list[web.RouteDef]:
    from handoff.channels.telegram import channel

    return channel.routes()
