"""The action server, open only to Rasa: ``python -m actions.server --port N``.

rasa-sdk's own server answers anyone who can reach it, and an action trusts the tracker it is sent: a
made-up tracker could change a customer's address. This is the same server (rasa_sdk's app, plugins,
workers) with one addition: every call but the health check must carry the bearer token derived from
the internal secret (bot/signing.py), which only Rasa is given (in its endpoints file, 0600).
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import logging
import os

from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from rasa_sdk.utils import number_of_sanic_workers
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.metrics import METRICS_PATH, instrument
from actions.runtime import runtime
from bot.metrics_access import metrics_token
from bot.signing import actions_token, internal_secret

logger = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health", METRICS_PATH})  # the health check carries no secret; /metrics checks its own


async def warm_up(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
    """The database, the knowledge base's index and its embedding model, loaded before the server listens:
    the health check answers only then, so "up" means the first customer's question is answered at once."""
    knowledge_base = (await runtime()).knowledge_base
    await knowledge_base.refresh()
    await asyncio.to_thread(knowledge_base.embedder.encode_one, "warm up")
    logger.info("action server warmed up (database, knowledge base, embedding model)")


def guarded_app(token: str) -> Sanic:
    app = create_app("actions", cors_origins=None)
    app.register_listener(warm_up, "before_server_start")

    @app.middleware("request")
    async def only_rasa(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if given and hmac.compare_digest(given, token):
            return None
        logger.warning("refused a call to %s without Rasa's token (from %s)", request.path, request.ip)
        return response.json({"error": "unauthorised", "message": "only the Rasa server may call actions"}, 401)

    instrument(app, metrics_token())  # after the token check: a refused call is not timed as an action
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m actions.server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s  %(message)s")
    app = guarded_app(actions_token(internal_secret()))
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    # 127.0.0.1 unless told otherwise: Rasa runs beside it.
    app.run(os.environ.get("SANIC_HOST", "127.0.0.1"), args.port, workers=number_of_sanic_workers())


if __name__ == "__main__":
    main()
