"""Typed keys for the resources the gateway opens in its cleanup context."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import sessionmaker

from crm_store.settings import Settings
from handoff.desk.service import Desk
from handoff.hub import Hub
from handoff.rasa_client import RasaClient
from handoff.router import ConversationRouter
from knowledge_base.search import KnowledgeBase

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", sessionmaker)
HTTP = web.AppKey("http", aiohttp.ClientSession)
RASA = web.AppKey("rasa", RasaClient)
HUB = web.AppKey("hub", Hub)
ROUTER = web.AppKey("router", ConversationRouter)
KNOWLEDGE_BASE = web.AppKey("knowledge_base", KnowledgeBase)
DESK = web.AppKey("desk", Desk)
