"""Every typed key for what the gateway keeps on its application, in one place.

Resources are opened in ``handoff.app``'s cleanup context and read by views as
``request.app[KEY]``. The types are imported for the checker only, so any module
may import these keys without importing the whole gateway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    import aiohttp
    from sqlalchemy.ext.asyncio import AsyncEngine
    from sqlalchemy.orm import sessionmaker

    from handoff.channels.telegram.channel import TelegramChannel
    from handoff.desk.escalation import EscalationPolicy
    from handoff.desk.follow_up_scheduler import FollowUpScheduler
    from handoff.desk.service import Desk
    from handoff.desk.waiting import WaitingMessages
    from handoff.hub import Hub
    from handoff.learning.candidates import LearningDesk
    from handoff.learning.retraining import ModelManager
    from handoff.limits import Limiter
    from handoff.rasa_client import RasaClient
    from handoff.readiness import Warmth
    from handoff.router import ConversationRouter
    from handoff.settings import Settings
    from knowledge_base.by_language import KnowledgeBases
    from knowledge_base.editing import KnowledgeBaseEditor
    from knowledge_base.search import KnowledgeBase

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
ENGINE: web.AppKey[AsyncEngine] = web.AppKey("engine")
SESSIONS: web.AppKey[sessionmaker] = web.AppKey("sessions")
HTTP: web.AppKey[aiohttp.ClientSession] = web.AppKey("http")
RASA: web.AppKey[RasaClient] = web.AppKey("rasa")
HUB: web.AppKey[Hub] = web.AppKey("hub")
ROUTER: web.AppKey[ConversationRouter] = web.AppKey("router")
POLICY: web.AppKey[EscalationPolicy] = web.AppKey("policy")
DESK: web.AppKey[Desk] = web.AppKey("desk")
KNOWLEDGE_BASE: web.AppKey[KnowledgeBase] = web.AppKey("knowledge_base")
# The search in each customer language (KNOWLEDGE_BASE is its English one; the Chinese one loads on first use).
KNOWLEDGE_BASES: web.AppKey[KnowledgeBases] = web.AppKey("knowledge_bases")
EDITOR: web.AppKey[KnowledgeBaseEditor] = web.AppKey("kb_editor")
LEARNING: web.AppKey[LearningDesk] = web.AppKey("learning")
MODELS: web.AppKey[ModelManager] = web.AppKey("models")
TELEGRAM: web.AppKey[TelegramChannel] = web.AppKey("telegram")
WAITING: web.AppKey[WaitingMessages] = web.AppKey("waiting")
WARMTH: web.AppKey[Warmth] = web.AppKey("warmth")
LIMITER: web.AppKey[Limiter] = web.AppKey("limiter")
FOLLOW_UPS: web.AppKey[FollowUpScheduler] = web.AppKey("follow_ups")
