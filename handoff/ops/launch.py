"""The whole product with the demo data, on free ports: for the end-to-end tests and the chat benchmark.

``start_cluster_product`` does the same for the replicated set-up (N of each process behind nginx, on
PostgreSQL and Redis): the ground of the fault tests (tests/cluster/).

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
from crm_store.db import create_engine, redact, session_factory, unit_of_work
from crm_store.demo_data import DemoCustomer, generate, seed_database
from crm_store.settings import StoreSettings
from handoff.learning.model_store import publish_model
from handoff.ops.cluster import ClusterPorts, ClusterServices, build_cluster, check_settings
from handoff.ops.nginx import ensure_nginx
from handoff.ops.private_files import keep_private
from handoff.ops.stack import START_TIMEOUT_S, Stack, build_services, with_secrets
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


def prepare_database(settings: Settings, progress: Callable[[str], None] = print) -> list[DemoCustomer]:
    """Migrate, then seed the demo customers and orders and import the knowledge base: an empty database in."""
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

    progress(f"seeding demo data and the knowledge base into {redact(settings.store.database_url)}")
    asyncio.run(prepare())
    return customers


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
    customers = prepare_database(settings, progress)
    stack = Stack(build_services(settings, model), progress=progress)
    stack.start()
    # As under `deskbot run`: a crashed action server or Rasa server comes back while the caller runs.
    stack.supervise_in_background()
    return stack, RunningProduct(settings, f"http://127.0.0.1:{settings.gateway_port}", customers)


def free_cluster_ports(replicas: int) -> ClusterPorts:
    def some(count: int) -> tuple[int, ...]:
        return tuple(free_port() for _ in range(count))

    return ClusterPorts(
        public_host="127.0.0.1",
        public_port=free_port(),
        rasa_balancer=free_port(),
        actions_balancer=free_port(),
        gateways=some(replicas),
        rasa=some(replicas),
        actions=some(replicas),
    )


@dataclass(frozen=True)
class RunningCluster:
    settings: Settings  # as the launcher sees it: GATEWAY_PORT is nginx's public port
    base_url: str  # nginx
    ports: ClusterPorts
    services: ClusterServices  # each replica, to kill one and watch it come back
    customers: list[DemoCustomer]


def start_cluster_product(
    var_dir: Path,
    model: Path,
    *,
    database_url: str,
    redis_url: str,
    replicas: int = 2,
    progress: Callable[[str], None] = print,
    **overrides: Any,
) -> tuple[Stack, RunningCluster]:
    """The replicated set-up (handoff.ops.cluster) with the demo data, on free ports, supervised in the background.

    ``database_url`` must name an empty PostgreSQL database; ``redis_url`` a Redis the caller owns. As with
    ``start_product``, the caller stops the returned Stack, and ``overrides`` are Settings fields.
    """
    keep_private(var_dir)
    ports = free_cluster_ports(replicas)
    settings = with_secrets(
        Settings(
            # No CLOCK_START: a shifted clock starts again with each restarted replica, which would then lag
            # the others by its uptime (and misjudge how long a message has waited). Replicas share real time.
            store=StoreSettings(var_dir=var_dir, database_url=database_url),
            gateway_port=ports.public_port,
            rasa_port=ports.rasa_balancer,
            actions_port=ports.actions_balancer,
            redis_url=redis_url,
            demo_mode=True,
            **{**ONE_ADDRESS_FOR_EVERYONE, **overrides},
        )
    )
    check_settings(settings, replicas)
    customers = prepare_database(settings, progress)
    publish_model(settings.store.database_url, model)  # what every Rasa replica pulls from the gateways
    services = build_cluster(settings, model, ports, ensure_nginx(progress))
    stack = Stack(services.in_start_order(), progress=progress, essential=())
    stack.start(START_TIMEOUT_S * replicas)
    stack.supervise_in_background()
    return stack, RunningCluster(settings, settings.public_url, ports, services, customers)


__all__ = [
    "RunningCluster",
    "RunningProduct",
    "free_cluster_ports",
    "free_port",
    "prepare_database",
    "start_cluster_product",
    "start_product",
]
