"""The replicated set-up for a benchmark: N of each process behind nginx, on a PostgreSQL database of its own.

The database is created for the run and dropped after it; Redis is the one at ``redis_url`` (a database
number of its own by default, emptied first, so a stale lock or lease of an earlier run cannot interfere).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from bench.databases import fresh_database
from handoff.ops.launch import RunningCluster, start_cluster_product
from handoff.ops.stack import Service, Stack

REPLICA_NUMBER = re.compile(r"\s+\d+$")


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
