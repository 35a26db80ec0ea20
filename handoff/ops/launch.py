"""The whole product with the demo data, on free ports: for the end-to-end tests and the chat benchmark.

``start_product`` migrates and seeds a fresh database in its own var directory
(the demo customers and orders, the knowledge base) and starts the three
processes as ``deskbot run`` does, through ``handoff.ops.stack``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_store import clock, migrate
from crm_store.db import create_engine, session_factory, unit_of_work
from crm_store.demo_data import DemoCustomer, generate, seed_database
from crm_store.settings import StoreSettings
from handoff.ops.private_files import keep_private
from handoff.ops.stack import Stack, build_services, with_secrets
from handoff.settings import Settings
from knowledge_base.embedding import Embedder
from knowledge_base.importer import import_directory

ONE_ADDRESS_FOR_EVERYONE = {
    "chat_new_conversations_limit": "1000000/minute",
    "chat_messages_per_address_limit": "1000000/minute",
    "login_limit_per_address": "1000000/minute",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class RunningProduct:
    settings: Settings
    base_url: str
    customers: list[DemoCustomer]  # the demo data in its database, with their orders


def start_product(
    var_dir: Path, model: Path, *, progress: Callable[[str], None] = print, **overrides: Any
) -> tuple[Stack, RunningProduct]:
    """Seed a fresh database under ``var_dir`` and start the three processes on free ports.

    ``overrides`` are Settings fields (e.g. the Telegram ones). The caller stops the returned Stack.
    The processes' clock starts where this process's clock is now, so a test that set the time sets it
    for the whole product (and the demo data is relative to that "today").

    Every simulated customer and staff member here comes from 127.0.0.1, so the per-address abuse limits
    are lifted (a real shop's customers come from many addresses); the per-connection and per-account
    limits stay as they ship.
    """
    keep_private(var_dir)
    fields = {**ONE_ADDRESS_FOR_EVERYONE, **overrides}
    settings = with_secrets(
        Settings(
            store=StoreSettings(var_dir=var_dir, clock_start=clock.now().isoformat()),
            gateway_port=free_port(),
            rasa_port=free_port(),
            actions_port=free_port(),
            demo_mode=True,
            **fields,
        )
    )
    migrate.upgrade(settings.store.database_url)
    customers = generate(today=clock.today())

    async def prepare() -> None:
        engine = create_engine(settings.store.database_url)
        try:
            sessions = session_factory(engine)
            async with unit_of_work(sessions) as session:
                await seed_database(session, customers)
            await import_directory(
                sessions, Embedder(settings.knowledge_base.embedding_model), settings.knowledge_base.articles_dir
            )
        finally:
            await engine.dispose()

    progress(f"seeding demo data and the knowledge base into {var_dir}")
    asyncio.run(prepare())
    stack = Stack(build_services(settings, model), progress=progress)
    stack.start()
    # As under `deskbot run`: a crashed action server or Rasa server comes back while the caller runs.
    stack.supervise_in_background()
    return stack, RunningProduct(settings, f"http://127.0.0.1:{settings.gateway_port}", customers)


__all__ = ["RunningProduct", "free_port", "start_product"]
