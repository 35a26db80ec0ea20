"""The replicated set-up for a benchmark: N of each process behind nginx, on a PostgreSQL database of its own.

The database is created for the run and dropped after it; Redis is the one at ``redis_url`` (a database
number of its own by default, emptied first, so a stale lock or lease of an earlier run cannot interfere).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import redis
from sqlalchemy.engine import make_url

from handoff.ops.launch import RunningCluster, start_cluster_product
from handoff.ops.stack import Service, Stack

REPLICA_NUMBER = re.compile(r"\s+\d+$")


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of ``admin_url``, dropped afterwards."""
    url = make_url(admin_url)
    name = f"deskbot_bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password, dbname=url.database
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@contextmanager
def running_cluster(
    var_dir: Path, model: Path, replicas: int, *, admin_url: str, redis_url: str, progress: Callable[[str], None]
) -> Iterator[tuple[Stack, RunningCluster]]:
    redis.Redis.from_url(redis_url).flushdb()
    with fresh_database(admin_url) as database_url:
        progress(f"starting {replicas} of each process behind nginx on PostgreSQL and Redis")
        stack, cluster = start_cluster_product(
            var_dir, model, database_url=database_url, redis_url=redis_url, replicas=replicas, progress=progress
        )
        try:
            yield stack, cluster
        finally:
            stack.stop()


def process_groups(services: list[Service]) -> dict[str, tuple[int, ...]]:
    """Each part's process groups, its replicas together: "gateway 1" and "gateway 2" are the gateway."""
    groups: dict[str, tuple[int, ...]] = {}
    for service in services:
        if service.process is not None:
            part = REPLICA_NUMBER.sub("", service.name)
            groups[part] = (*groups.get(part, ()), service.process.pid)
    return groups
