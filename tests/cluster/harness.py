"""The replicated set-up for real, for the cluster tests: 2 of each process, nginx, PostgreSQL and Redis.

``running_cluster`` starts what ``deskbot run --replicas 2`` starts (handoff.ops.launch.start_cluster_product)
on free ports, on a fresh PostgreSQL database (dropped afterwards) and a Redis of the test's own (which the
test may stop and start again), with the demo data; a background supervisor restarts any replica that dies,
as under ``deskbot run``. A fault test kills one replica with ``Cluster.kill`` and waits for it with
``Cluster.wait_restarted``.

Found while building this, for the fault tests to know (as of this branch, before the Redis event bus and
the cross-replica conversation lock land):
- A turn that a dying Rasa replica had taken comes back to the gateway as a 502 (nginx never resends a
  POST that reached a replica): the customer reads "One moment…" and the message waits. Every gateway's
  waiting loop (handoff/desk/waiting.py) then picks up *every* waiting conversation, so one gateway may
  answer a conversation whose websocket is on the other (the reply is stored but reaches no one without
  a shared event bus), and both may answer it (seen: the same answer stored twice).
- The replicas run on real time: a clock shifted by CLOCK_START starts again with each restarted replica.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_store import clock
from handoff.ops import nginx
from handoff.ops.launch import RunningCluster, start_cluster_product
from handoff.ops.stack import Service, Stack
from tests.conftest import fresh_postgres_database
from tests.redis_server import RedisServer

REPLICAS = 2
RESTART_BOUND_S = 300.0  # generous: a Rasa replica loads its model on a loaded 2-core machine
_UPSTREAM = re.compile(r'"(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) (?P<path>\S+) [^"]*" \d+ upstream=(?P<up>\S+)')


@dataclass
class Cluster:
    stack: Stack
    running: RunningCluster
    redis: RedisServer  # the test's own: ``redis.stop()`` / ``redis.start()`` keep its port

    @property
    def base_url(self) -> str:
        """nginx's public address: where customers, agents and Telegram's webhook reach the product."""
        return self.running.base_url

    @property
    def gateways(self) -> list[Service]:
        return self.running.services.gateways

    @property
    def rasa_servers(self) -> list[Service]:
        return self.running.services.rasa

    @property
    def action_servers(self) -> list[Service]:
        return self.running.services.actions

    @property
    def nginx(self) -> Service:
        return self.running.services.nginx

    @property
    def settings(self) -> Any:
        return self.running.settings

    def gateway_address(self, index: int) -> str:
        """How nginx's access log names gateway ``index`` (0-based)."""
        return f"127.0.0.1:{self.running.ports.gateways[index]}"

    def gateway_url(self, index: int) -> str:
        """Gateway ``index`` directly, past nginx: to put an agent on one replica and the customer on another."""
        return f"http://{self.gateway_address(index)}"

    def kill(self, service: Service, bound_s: float = RESTART_BOUND_S) -> int:
        """SIGKILL the replica's whole process group and wait until it is gone (a big process takes a moment
        to die, its listening socket still taking connections meanwhile); returns the killed pid."""
        assert service.process is not None, f"{service.name} was never started"
        pid = service.process.pid
        service.kill()
        deadline = time.monotonic() + bound_s
        while _running(pid):
            assert time.monotonic() < deadline, f"{service.name} (pid {pid}) did not die"
            time.sleep(0.05)  # polling a condition
        return pid

    def wait_restarted(self, service: Service, killed_pid: int, bound_s: float = RESTART_BOUND_S) -> None:
        """Until the supervisor has started the replica again and it is healthy (a bound, not a timing)."""
        deadline = time.monotonic() + bound_s
        while True:
            process = service.process
            if process is not None and process.pid != killed_pid and service.healthy():
                return
            assert time.monotonic() < deadline, f"{service.name} was not restarted:\n{service.log_tail()}"
            time.sleep(0.5)  # polling a condition

    def kill_and_wait_restarted(self, service: Service, bound_s: float = RESTART_BOUND_S) -> None:
        self.wait_restarted(service, self.kill(service), bound_s)

    def access_log(self) -> list[str]:
        path = nginx.NginxPaths(self.settings.run_dir / "nginx").access_log
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []

    def served_by(self, path: str) -> Counter[str]:
        """How many logged requests for ``path`` each upstream address answered (websockets: once closed)."""
        counts: Counter[str] = Counter()
        for line in self.access_log():
            match = _UPSTREAM.search(line)
            if match and match["path"].split("?")[0] == path:
                counts[match["up"]] += 1
        return counts


def _running(pid: int) -> bool:
    """Not yet dead: a zombie (dead, waiting for the supervisor to reap it) counts as gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@contextmanager
def running_cluster(directory: Path, model: Path, replicas: int = REPLICAS, **overrides: Any) -> Iterator[Cluster]:
    """Start the replicated set-up under ``directory``; everything is stopped (and the database dropped) after."""
    redis_dir = directory / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    redis = RedisServer(redis_dir)
    redis.start()
    try:
        with fresh_postgres_database("deskbot_cluster") as database_url:
            # The replicas run on real time (a shifted clock would restart with each killed replica): the
            # demo data is seeded on the same time. No assertion here depends on what time it is.
            with clock.using(clock.SystemClock()):
                stack, running = start_cluster_product(
                    directory / "var",
                    model,
                    database_url=database_url,
                    redis_url=redis.url,
                    replicas=replicas,
                    **overrides,
                )
            try:
                yield Cluster(stack, running, redis)
            finally:
                stack.stop()
    finally:
        redis.stop()


__all__ = ["REPLICAS", "Cluster", "running_cluster"]
