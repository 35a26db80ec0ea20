"""The gateway: ``create_app(settings)`` builds the aiohttp application; ``main`` serves it.

Shared resources (database engine, HTTP client, Rasa client, router, knowledge base, desk,
learning loop, Telegram) are opened in one cleanup context under the keys of ``handoff.keys``;
each surface (web chat, Telegram, login, agent console, trainer console) adds its own routes.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
from aiohttp import web

from crm_store import clock
from crm_store.db import check_connection, create_engine, is_sqlite, session_factory
from handoff import api_description, channels, console, metrics, pages, readiness, reports, trainer
from handoff.channels.telegram.channel import TelegramChannel
from handoff.cluster.events import RedisEventBus
from handoff.cluster.presence import AgentPresence, RedisPresence
from handoff.desk.escalation import load_policy
from handoff.desk.follow_up_scheduler import FollowUpScheduler
from handoff.desk.follow_ups import FollowUpVisits
from handoff.desk.segment_schedule import segment_schedule
from handoff.desk.service import Desk, Presence
from handoff.desk.state_machine import HandoffStateMachine
from handoff.desk.waiting import WaitingMessages
from handoff.edge import errors_as_json
from handoff.hub import Hub
from handoff.keys import (
    DESK,
    EDITOR,
    ENGINE,
    FOLLOW_UPS,
    HTTP,
    HUB,
    KNOWLEDGE_BASE,
    KNOWLEDGE_BASES,
    LEARNING,
    LIMITER,
    MODELS,
    POLICY,
    RASA,
    ROUTER,
    SESSIONS,
    SETTINGS,
    TELEGRAM,
    WAITING,
)
from handoff.learning import model_server
from handoff.learning.candidates import LearningDesk
from handoff.learning.retraining import ModelManager
from handoff.learning.routing import RoutingCheck
from handoff.limits import Limiter
from handoff.rasa_client import RasaClient
from handoff.readiness import start_warming
from handoff.router import ConversationRouter
from handoff.settings import Settings
from handoff.staff import login
from knowledge_base.by_language import KnowledgeBases
from knowledge_base.editing import KnowledgeBaseEditor
from knowledge_base.embedding import Embedder
from knowledge_base.search import KnowledgeBase

logger = logging.getLogger(__name__)
SHUTDOWN_TIMEOUT_S = 3.0


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    engine = create_engine(settings.store.database_url)
    await check_connection(engine, settings.store.database_url)
    bus, presence = await _shared_with_replicas(app[HUB], settings)
    http = aiohttp.ClientSession()
    app[ENGINE] = engine
    app[SESSIONS] = session_factory(engine)
    app[HTTP] = http
    app[RASA] = RasaClient(
        http,
        settings.rasa_url,
        settings.rasa_token,
        secret=settings.internal_secret,
        actions_health_url=f"http://127.0.0.1:{settings.actions_port}/health",
    )
    app[ROUTER] = ConversationRouter(app[SESSIONS], app[RASA], app[HUB])
    app[KNOWLEDGE_BASE] = KnowledgeBase.from_settings(
        app[SESSIONS], Embedder(settings.knowledge_base.embedding_model), settings.knowledge_base
    )
    # Agents answering Chinese customers get Chinese suggestions; the multilingual model loads on the first one.
    app[KNOWLEDGE_BASES] = KnowledgeBases(app[KNOWLEDGE_BASE], settings.knowledge_base.for_chinese())
    machine = HandoffStateMachine(
        app[SESSIONS], app[HUB], app[POLICY], skip_locked=not is_sqlite(settings.store.database_url)
    )
    app[DESK] = Desk(app[SESSIONS], app[HUB], app[ROUTER], machine, app[POLICY], app[RASA], presence)
    app[EDITOR] = KnowledgeBaseEditor(app[SESSIONS], app[KNOWLEDGE_BASE].embedder)
    app[LEARNING] = LearningDesk(
        app[SESSIONS], app[KNOWLEDGE_BASE].embedder, app[EDITOR], RoutingCheck(app[SESSIONS], app[RASA])
    )
    app[MODELS] = ModelManager(settings, app[SESSIONS], http, tolerance=settings.model_gate_tolerance)
    await app[MODELS].register_running()
    warmth = start_warming(app)
    telegram = None
    if settings.telegram_bot_token:
        telegram = TelegramChannel(settings, app[SESSIONS], app[ROUTER], app[HUB])
        # In the background: Telegram being unreachable must never keep web chat and the consoles down.
        telegram.start_in_background()
        app[TELEGRAM] = telegram
    else:
        logger.info("Telegram: off (set TELEGRAM_BOT_TOKEN to enable)")
    recovered = await app[ROUTER].recover()
    if recovered:
        logger.info("answering stored messages of %d conversation(s) left unanswered at the last stop", recovered)
    app[WAITING] = WaitingMessages(
        app[SESSIONS], app[ROUTER], app[RASA], app[DESK], timedelta(seconds=settings.bot_wait_handoff_s)
    )
    app[WAITING].start()
    app[FOLLOW_UPS] = FollowUpScheduler(FollowUpVisits(app[SESSIONS], app[HUB], app[DESK]))
    app[FOLLOW_UPS].start()
    yield
    await app[FOLLOW_UPS].stop()
    await app[WAITING].stop()
    await warmth.close()
    if telegram is not None:
        await telegram.stop()
    await app[ROUTER].close()  # its conversation-lock connections (PostgreSQL)
    await presence.close()
    if bus is not None:
        await bus.close()
    await http.close()
    await engine.dispose()


async def _shared_with_replicas(hub: Hub, settings: Settings) -> tuple[RedisEventBus | None, AgentPresence]:
    """Events and agent presence through Redis when replicas share it; in this process otherwise.

    Redis being down here does not stop the start: both keep retrying and degrade to this replica meanwhile.
    """
    if not settings.redis_url:
        presence: AgentPresence = Presence()
        await presence.start()
        return None, presence
    bus = RedisEventBus(settings.redis_url, on_remote=hub.deliver_from_other_replica, on_resync=hub.resync)
    await bus.start()
    hub.attach(bus)
    presence = RedisPresence(settings.redis_url)
    await presence.start()
    return bus, presence


def create_app(settings: Settings) -> web.Application:
    if not settings.widget_secret:
        logger.warning("WIDGET_SECRET is not set: signed-in customer tokens last only as long as this process")
        settings = _with_secret(settings)
    app = web.Application(middlewares=[errors_as_json], client_max_size=64 * 1024)
    app[SETTINGS] = settings
    app[POLICY] = load_policy()  # a broken escalation.yml stops start-up here, naming the field
    app[HUB] = Hub()
    app[LIMITER] = Limiter.from_settings(settings)
    app.cleanup_ctx.append(_resources)
    app.cleanup_ctx.append(segment_schedule)  # hourly; after _resources, whose sessions it uses
    app.add_routes(channels.routes(demo_mode=settings.demo_mode))
    app.add_routes(pages.routes())
    app.add_routes(login.routes())
    app.add_routes(console.routes())
    app.add_routes(trainer.routes())
    app.add_routes(reports.routes())
    app.add_routes(readiness.routes())
    app.add_routes(api_description.routes())
    app.add_routes(model_server.routes())  # Rasa replicas pull the active model here
    metrics.setup(app)  # GET /metrics for Prometheus; after _resources, whose hub and Rasa client it observes
    return app


def _with_secret(settings: Settings) -> Settings:
    from dataclasses import replace

    return replace(settings, widget_secret=secrets.token_hex(32))


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s gateway %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    clock.install_from_setting(settings.store.clock_start)
    web.run_app(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        print=None,
        # aiohttp waits 60 s for open websockets by default; a stop must finish well within 10 s.
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
    )


if __name__ == "__main__":
    main()
