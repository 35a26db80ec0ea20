"""The gateway: ``create_app(settings)`` builds the aiohttp application; ``main`` serves it."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
from aiohttp import web

from crm_store import clock
from crm_store.db import check_connection, create_engine, is_sqlite, session_factory
from crm_store.errors import StoreError
from crm_store.settings import Settings
from handoff import demo, webchat
from handoff.console import api as console_api
from handoff.console import live as console_live
from handoff.console import pages as console_pages
from handoff.console.auth import CsrfFailed, Forbidden, NotSignedIn
from handoff.desk import Desk, Presence
from handoff.errors import BotUnavailable, GatewayError, InvalidMessage, InvalidToken, NotFound
from handoff.escalation import EscalationPolicy, load_policy
from handoff.hub import Hub
from handoff.keys import DESK, ENGINE, HTTP, HUB, KNOWLEDGE_BASE, RASA, ROUTER, SESSIONS, SETTINGS
from handoff.learning.candidates import LearningDesk
from handoff.learning.models import ModelManager
from handoff.rasa_client import RasaClient
from handoff.router import ConversationRouter
from handoff.state_machine import AlreadyClaimed, HandoffStateMachine, TransitionRefused
from handoff.telegram.channel import WEBHOOK_PATH, TelegramChannel
from handoff.trainer import api as trainer_api
from handoff.trainer.api import EDITOR, LEARNING, MODELS, ConflictError
from knowledge_base.editing import KnowledgeBaseEditor
from knowledge_base.embedding import Embedder
from knowledge_base.search import KnowledgeBase

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"
SHARED_WEB_DIR = Path(__file__).resolve().parent / "web" / "shared"  # modules and base.css both consoles use
POLICY = web.AppKey("policy", EscalationPolicy)
TELEGRAM = web.AppKey("telegram", TelegramChannel)
# Most specific first: the first matching class decides the status.
STATUS_CODES: dict[type[GatewayError], int] = {
    InvalidMessage: 400,
    InvalidToken: 401,
    NotSignedIn: 401,
    CsrfFailed: 403,
    Forbidden: 403,
    NotFound: 404,
    AlreadyClaimed: 409,
    ConflictError: 409,
    TransitionRefused: 409,
    BotUnavailable: 503,
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


@web.middleware
async def errors_as_json(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Our errors become JSON with a code; nothing else a client sends can produce a stack trace."""
    try:
        response = await handler(request)
    except GatewayError as error:
        status = next((code for kind, code in STATUS_CODES.items() if isinstance(error, kind)), 400)
        return web.json_response({"error": error.code, "message": error.message}, status=status)
    except StoreError as error:
        logger.error("%s %s: %s", request.method, request.path, error)
        return web.json_response({"error": error.code, "message": "the database is unavailable"}, status=503)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    engine = create_engine(settings.database_url)
    await check_connection(engine, settings.database_url)
    http = aiohttp.ClientSession()
    app[ENGINE] = engine
    app[SESSIONS] = session_factory(engine)
    app[HTTP] = http
    app[RASA] = RasaClient(http, settings.rasa_url, settings.rasa_token)
    app[ROUTER] = ConversationRouter(app[SESSIONS], app[RASA], app[HUB])
    app[KNOWLEDGE_BASE] = KnowledgeBase(
        app[SESSIONS],
        Embedder(settings.embedding_model),
        answer_threshold=settings.kb_answer_threshold,
        suggest_threshold=settings.kb_suggest_threshold,
    )
    machine = HandoffStateMachine(
        app[SESSIONS], app[HUB], app[POLICY], skip_locked=not is_sqlite(settings.database_url)
    )
    app[DESK] = Desk(app[SESSIONS], app[HUB], app[ROUTER], machine, app[POLICY], app[RASA], Presence())
    app[EDITOR] = KnowledgeBaseEditor(app[SESSIONS], app[KNOWLEDGE_BASE].embedder)
    app[LEARNING] = LearningDesk(app[SESSIONS], app[KNOWLEDGE_BASE].embedder, app[EDITOR])
    app[MODELS] = ModelManager(settings, app[SESSIONS], http, tolerance=settings.model_gate_tolerance)
    await app[MODELS].register_running()
    telegram = None
    if settings.telegram_bot_token:
        telegram = TelegramChannel(settings, app[SESSIONS], app[ROUTER], app[HUB])
        await telegram.start()
        app[TELEGRAM] = telegram
    else:
        logger.info("Telegram: off (set TELEGRAM_BOT_TOKEN to enable)")
    recovered = await app[ROUTER].recover()
    if recovered:
        logger.info("answering stored messages of %d conversation(s) left unanswered at the last stop", recovered)
    yield
    if telegram is not None:
        await telegram.stop()
    await http.close()
    await engine.dispose()


async def telegram_webhook(request: web.Request) -> web.Response:
    channel = request.app.get(TELEGRAM)
    if channel is None or request.app[SETTINGS].telegram_mode != "webhook":
        raise NotFound("the Telegram webhook is not enabled")
    return await channel.webhook(request)


async def shop_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "shop.html")


async def health(request: web.Request) -> web.Response:
    rasa_ok = await request.app[RASA].healthy()
    return web.json_response(
        {"status": "ok" if rasa_ok else "degraded", "rasa": rasa_ok}, status=200 if rasa_ok else 503
    )


def create_app(settings: Settings) -> web.Application:
    if not settings.widget_secret:
        logger.warning("WIDGET_SECRET is not set: signed-in customer tokens last only as long as this process")
        settings = _with_secret(settings)
    app = web.Application(middlewares=[errors_as_json], client_max_size=64 * 1024)
    app[SETTINGS] = settings
    app[POLICY] = load_policy()  # a broken escalation.yml stops start-up here, naming the field
    app[HUB] = Hub()
    app.cleanup_ctx.append(_resources)
    app.add_routes(webchat.routes())
    app.add_routes(console_pages.routes())
    app.add_routes(console_api.routes())
    app.add_routes(console_live.routes())
    app.add_routes(trainer_api.routes())
    app.add_routes(
        [
            web.get("/", shop_page),
            web.get("/healthz", health),
            web.post(WEBHOOK_PATH, telegram_webhook),
            web.static("/static", STATIC_DIR),
            web.static("/shared/static", SHARED_WEB_DIR),
        ]
    )
    if settings.demo_mode:
        app.add_routes(demo.routes())
    return app


def _with_secret(settings: Settings) -> Settings:
    from dataclasses import replace

    return replace(settings, widget_secret=secrets.token_hex(32))


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s gateway %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    clock.install_from_setting(settings.clock_start)
    web.run_app(create_app(settings), host=settings.gateway_host, port=settings.gateway_port, print=None)


if __name__ == "__main__":
    main()
