"""The replicated set-up on one machine: N action servers, N Rasa servers, N gateways, and nginx in front.

``deskbot run --replicas N`` builds it here. Ports follow the single-process ones so an operator's
habits and tools keep working: nginx takes GATEWAY_PORT (the public address), RASA_PORT (the gateways'
Rasa) and ACTIONS_PORT (Rasa's action server) and balances each over N replicas on the ports just above
(gateways on GATEWAY_PORT+1…+N, and so on). Every replica shares the PostgreSQL database (CRM, Rasa's
trackers) and Redis (Rasa's lock store, and what handoff.cluster shares between gateways); SQLite, a
file on one machine, and an in-process lock cannot be shared, so both are refused here.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, replace
from pathlib import Path

import redis

from crm_store.db import is_sqlite, redact
from crm_store.errors import ConfigError
from handoff.learning.model_server import model_server_endpoint
from handoff.ops import nginx
from handoff.ops.stack import Service, action_server, gateway, rasa_server, write_endpoints
from handoff.settings import ENV_REDIS_URL, Settings

MIN_REPLICAS = 1  # one of each behind nginx on PostgreSQL and Redis: the production set-up before it grows
LOOPBACK = "127.0.0.1"
NGINX_LOG = "nginx.log"  # nginx's own stdout/stderr; its error and access logs are in run/nginx/


@dataclass(frozen=True)
class ClusterPorts:
    public_host: str
    public_port: int  # nginx: the product's address
    rasa_balancer: int  # nginx, loopback: where the gateways reach Rasa
    actions_balancer: int  # nginx, loopback: where Rasa reaches the action servers
    gateways: tuple[int, ...]
    rasa: tuple[int, ...]
    actions: tuple[int, ...]

    @classmethod
    def following(cls, settings: Settings, replicas: int) -> ClusterPorts:
        """nginx on the configured ports, the replicas on the N ports above each."""

        def above(base: int) -> tuple[int, ...]:
            return tuple(base + index for index in range(1, replicas + 1))

        return cls(
            public_host=settings.gateway_host,
            public_port=settings.gateway_port,
            rasa_balancer=settings.rasa_port,
            actions_balancer=settings.actions_port,
            gateways=above(settings.gateway_port),
            rasa=above(settings.rasa_port),
            actions=above(settings.actions_port),
        )

    def named(self) -> list[tuple[str, str, int]]:
        """(what, address, port) for each port, to check and to name in errors."""
        ports = [
            ("nginx (public)", self.public_host, self.public_port),
            ("nginx (Rasa balancer)", LOOPBACK, self.rasa_balancer),
            ("nginx (action server balancer)", LOOPBACK, self.actions_balancer),
        ]
        for role, numbers in (("gateway", self.gateways), ("Rasa server", self.rasa), ("action server", self.actions)):
            ports += [(f"{role} {index}", LOOPBACK, port) for index, port in enumerate(numbers, start=1)]
        return ports

    def balancer(self) -> nginx.Balancer:
        def addresses(ports: tuple[int, ...]) -> tuple[str, ...]:
            return tuple(f"{LOOPBACK}:{port}" for port in ports)

        return nginx.Balancer(
            public_host=self.public_host,
            public_port=self.public_port,
            gateways=addresses(self.gateways),
            rasa_port=self.rasa_balancer,
            rasa_servers=addresses(self.rasa),
            actions_port=self.actions_balancer,
            action_servers=addresses(self.actions),
        )


@dataclass(frozen=True)
class ClusterServices:
    actions: list[Service]
    rasa: list[Service]
    gateways: list[Service]
    nginx: Service

    def in_start_order(self) -> list[Service]:
        """nginx before the gateways: a gateway is ready only once it reaches Rasa through nginx."""
        return [*self.actions, *self.rasa, self.nginx, *self.gateways]


def check_settings(settings: Settings, replicas: int) -> None:
    """Refuse, naming what is wrong, what replicas cannot share."""
    if replicas < MIN_REPLICAS:
        raise ConfigError(f"--replicas must be {MIN_REPLICAS} or more (plain `deskbot run` is the one-process set-up)")
    url = settings.store.database_url
    if is_sqlite(url):
        raise ConfigError(
            f"--replicas {replicas} needs DATABASE_URL to name a PostgreSQL database (postgresql://user@host/db); "
            f"it is {redact(url)}, a SQLite file only one machine's processes can share"
        )
    if not url.startswith("postgresql"):
        raise ConfigError(f"--replicas {replicas} needs DATABASE_URL to be a postgresql:// URL, not {redact(url)}")
    if not settings.redis_url:
        raise ConfigError(
            f"--replicas {replicas} needs {ENV_REDIS_URL} (e.g. redis://127.0.0.1:6379/0): the replicas share "
            "Rasa's conversation locks and the gateways' events through it"
        )


def check_redis(redis_url: str) -> None:
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=5).ping()
    except (redis.RedisError, OSError) as error:
        shown = redis_url.split("@")[-1]  # no password in messages
        raise ConfigError(f"Redis at {shown} ({ENV_REDIS_URL}) does not answer: {error}") from None


def check_ports_free(ports: ClusterPorts) -> None:
    """Every port the set-up needs, tried before anything starts, so a taken one is named, not a crash loop."""
    for what, host, port in ports.named():
        if not 0 < port < 65536:
            raise ConfigError(
                f"port {port} for {what} is out of range: choose lower GATEWAY_PORT/RASA_PORT/ACTIONS_PORT"
            )
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError as error:
                raise ConfigError(
                    f"port {port} on {host} ({what}) is taken ({error.strerror}): stop what uses it, or move the "
                    "set-up with GATEWAY_PORT, RASA_PORT and ACTIONS_PORT (replicas take the ports just above each)"
                ) from None


def _gateway_settings(settings: Settings, ports: ClusterPorts, port: int) -> Settings:
    # PUBLIC_URL stays nginx's address (links, websocket origins); requests arrive from nginx, whose
    # X-Forwarded-For names the customer for the abuse limits.
    return replace(
        settings,
        gateway_host=LOOPBACK,
        gateway_port=port,
        rasa_port=ports.rasa_balancer,
        rasa_url=f"http://{LOOPBACK}:{ports.rasa_balancer}",
        actions_port=ports.actions_balancer,
        public_url=settings.public_url,
        trusted_proxies=tuple(dict.fromkeys((*settings.trusted_proxies, LOOPBACK))),
        # Counted in one place, or each replica would allow a customer its own full share of the abuse limits.
        rate_limit_storage=settings.redis_url
        if settings.rate_limit_storage == "memory://"
        else settings.rate_limit_storage,
    )


def nginx_service(binary: str, ports: ClusterPorts, run_dir: Path) -> Service:
    paths = nginx.NginxPaths(run_dir / "nginx")
    nginx.write_config(ports.balancer(), paths)
    nginx.check_config(binary, paths)
    return Service(
        "nginx",
        nginx.command(binary, paths),
        f"http://{LOOPBACK}:{ports.rasa_balancer}{nginx.NGINX_ALIVE_PATH}",
        run_dir / NGINX_LOG,
        {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")},
    )


def build_cluster(settings: Settings, model: Path, ports: ClusterPorts, nginx_binary: str) -> ClusterServices:
    # Rasa replicas reach the action servers and the gateways' model server through nginx's loopback balancer.
    rasa_side = f"http://{LOOPBACK}:{ports.actions_balancer}"
    endpoints = write_endpoints(
        settings,
        actions_url=f"{rasa_side}/webhook",
        shared_locks=True,
        models=model_server_endpoint(settings, rasa_side),
    )
    actions = [
        action_server(replace(settings, actions_port=port), f"action server {index}", f"actions-{index}.log")
        for index, port in enumerate(ports.actions, start=1)
    ]
    rasa = [
        rasa_server(
            replace(settings, rasa_port=port, rasa_url=f"http://{LOOPBACK}:{port}"),
            model,
            endpoints,
            f"Rasa server {index}",
            f"rasa-{index}.log",
        )
        for index, port in enumerate(ports.rasa, start=1)
    ]
    gateways = [
        gateway(_gateway_settings(settings, ports, port), f"gateway {index}", f"gateway-{index}.log")
        for index, port in enumerate(ports.gateways, start=1)
    ]
    return ClusterServices(actions, rasa, gateways, nginx_service(nginx_binary, ports, settings.run_dir))


__all__ = [
    "MIN_REPLICAS",
    "ClusterPorts",
    "ClusterServices",
    "build_cluster",
    "check_ports_free",
    "check_redis",
    "check_settings",
]
