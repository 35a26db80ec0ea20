"""Typed keys for the resources the gateway opens in its cleanup context."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import sessionmaker

from crm_store.settings import Settings
from handoff.hub import Hub
from handoff.rasa_client import RasaClient
from handoff.router import ConversationRouter

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", sessionmaker)
HTTP = web.AppKey("http", aiohttp.ClientSession)
RASA = web.AppKey("rasa", RasaClient)
HUB = web.AppKey("hub", Hub)
ROUTER = web.AppKey("router", ConversationRouter)
