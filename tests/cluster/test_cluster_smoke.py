"""The replicated set-up answers through nginx, spreads customers over both gateways, and stops cleanly.

Real parts only: 2 action servers, 2 Rasa servers, 2 gateways, nginx from Debian, a fresh PostgreSQL
database and a Redis of the test's own (tests/cluster/harness.py).
"""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import aiohttp
import pytest

from crm_store.settings import ENV_DATABASE_URL, ENV_VAR_DIR
from handoff.ops import nginx
from handoff.settings import ENV_REDIS_URL
from tests.cluster.harness import Cluster
from tests.conftest import fresh_postgres_database
from tests.e2e.client import ChatClient, texts
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

CONVERSATIONS = 6
QUESTION = "how long does it take to get my money back after a return?"
ANSWER = "5-10 business days"  # from the knowledge base: gateway → Rasa → action server, each through nginx
LOG_BOUND_S = 60.0
START_BOUND_S = 900.0  # generous: six processes load their models on a loaded 2-core machine
STOP_BOUND_S = 60.0  # the launcher SIGKILLs what is left after 7 s; the bound only ends a broken test


async def _one_conversation(http: aiohttp.ClientSession, base_url: str) -> str:
    customer = ChatClient(http, base_url)
    try:
        welcome = await customer.connect()
        assert welcome["type"] == "welcome", welcome
        return texts(await customer.say(QUESTION))
    finally:
        await customer.close()


async def test_web_chats_through_nginx_get_replies_from_both_gateways(cluster: Cluster) -> None:
    async with aiohttp.ClientSession() as http:
        answers = await asyncio.gather(*(_one_conversation(http, cluster.base_url) for _ in range(CONVERSATIONS)))
    assert all(ANSWER in answer for answer in answers), answers

    # nginx logs a websocket when it closes: wait until all of them are logged, then see who served them.
    deadline = time.monotonic() + LOG_BOUND_S
    while sum(cluster.served_by("/ws/chat").values()) < CONVERSATIONS:
        assert time.monotonic() < deadline, f"nginx logged {cluster.served_by('/ws/chat')}"
        await asyncio.sleep(0.2)  # polling a condition
    served = cluster.served_by("/ws/chat")
    assert {cluster.gateway_address(0), cluster.gateway_address(1)} <= set(served), served
    assert cluster.served_by("/model/parse"), "the gateways' readiness checks reached Rasa through nginx"


def test_nginx_logs_never_hold_the_rasa_token(cluster: Cluster) -> None:
    """Rasa takes its API token in the query string; nginx's logs are written without it."""
    logs = nginx.NginxPaths(cluster.settings.run_dir / "nginx")
    assert cluster.served_by("/model/parse"), "the gateways' readiness checks are logged"
    for log in (logs.access_log, logs.error_log):
        assert cluster.settings.rasa_token not in log.read_text(encoding="utf-8"), log


def test_the_generated_nginx_config_passes_nginx_t(cluster: Cluster) -> None:
    binary = nginx.find_nginx()
    assert binary is not None
    paths = nginx.NginxPaths(cluster.settings.run_dir / "nginx")
    nginx.check_config(binary, paths)  # raises NginxUnavailable with nginx's own words
    assert f"listen 127.0.0.1:{cluster.running.ports.public_port};" in paths.conf.read_text()


def test_killed_gateway_is_restarted_and_nginx_routes_around_it(cluster: Cluster) -> None:
    """Ground for the fault tests: kill, the public address keeps answering, the supervisor restarts it."""
    killed = cluster.kill(cluster.gateways[0])
    for _ in range(4):  # round robin reaches the dead one; nginx retries the GET on the other
        with urllib.request.urlopen(f"{cluster.base_url}/livez", timeout=30) as response:  # noqa: S310
            assert response.status == 200
    cluster.wait_restarted(cluster.gateways[0], killed)
    with urllib.request.urlopen(f"{cluster.gateway_url(0)}/readyz", timeout=30) as response:  # noqa: S310
        assert response.status == 200, "the restarted replica serves again"


# `deskbot run --replicas 2` as an operator starts it --------------------------------------------------


def _consecutive_free_ports(count: int) -> int:
    """A base port with ``count`` free ports from it on (nginx takes the base, replicas the ones above)."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base + count >= 65536:
            continue
        taken = False
        for port in range(base, base + count):
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    taken = True
                    break
        if not taken:
            return base
    raise AssertionError("no run of free ports found")


def _processes_of(marker: str, var: Path) -> list[int]:
    """Live processes of this run: the marker in their environment or (nginx's master) var/ on their command
    line, and their descendants (nginx's worker keeps neither: nginx clears its environment)."""
    parents: dict[int, int] = {}
    ours: set[int] = set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            after_name = (proc / "stat").read_text().rsplit(") ", 1)[1].split()
            if after_name[0] == "Z":
                continue
            pid = int(proc.name)
            parents[pid] = int(after_name[1])
            if (
                marker.encode() in (proc / "environ").read_bytes()
                or str(var).encode() in (proc / "cmdline").read_bytes()
            ):
                ours.add(pid)
        except (OSError, IndexError, ValueError):
            continue
    grown = True
    while grown:
        children = {pid for pid, parent in parents.items() if parent in ours} - ours
        ours |= children
        grown = bool(children)
    return sorted(ours - {os.getpid()})


def test_deskbot_run_replicas_starts_everything_and_sigterm_stops_it_all(tmp_path: Path, trained_model: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    (var / "models").symlink_to(trained_model.parent, target_is_directory=True)  # no training here
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        with fresh_postgres_database("deskbot_cluster_run") as database_url:
            _run_and_stop(var, database_url, redis.url)
    finally:
        redis.stop()


def _run_and_stop(var: Path, database_url: str, redis_url: str) -> None:
    marker = f"DESKBOT_CLUSTER_RUN={uuid.uuid4().hex}"
    public, rasa, actions = (_consecutive_free_ports(3) for _ in range(3))
    env = {k: v for k, v in os.environ.items() if k not in ("RASA_TOKEN", "INTERNAL_SECRET", "PUBLIC_URL")}
    env.update(
        {
            ENV_VAR_DIR: str(var),
            ENV_DATABASE_URL: database_url,
            ENV_REDIS_URL: redis_url,
            "GATEWAY_PORT": str(public),
            "RASA_PORT": str(rasa),
            "ACTIONS_PORT": str(actions),
            "RASA_TELEMETRY_ENABLED": "false",
            marker.split("=")[0]: marker.split("=")[1],
        }
    )
    deskbot = str(Path(sys.executable).with_name("deskbot"))
    launcher = subprocess.Popen(
        [deskbot, "run", "--replicas", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read_output() -> None:
        for line in launcher.stdout or ():
            lines.put(line)

    threading.Thread(target=read_output, daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + START_BOUND_S
        while not any("Stop with Ctrl-C" in line for line in seen):
            assert launcher.poll() is None, "deskbot run --replicas 2 stopped while starting:\n" + "".join(seen)
            assert time.monotonic() < deadline, "deskbot run --replicas 2 did not start:\n" + "".join(seen)
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                continue
        with urllib.request.urlopen(f"http://127.0.0.1:{public}/readyz", timeout=30) as response:  # noqa: S310
            assert response.status == 200
        started = _processes_of(marker, var)
        nginx_pid = int((var / "run" / "nginx" / "nginx.pid").read_text())
        assert nginx_pid in started, "nginx runs as the launcher's child"
        assert len(started) >= 1 + 6 + 2, f"the launcher, six services, nginx and its worker: {started}"

        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=STOP_BOUND_S)
        deadline = time.monotonic() + STOP_BOUND_S
        while _processes_of(marker, var):
            assert time.monotonic() < deadline, f"left behind: {_processes_of(marker, var)}"
            time.sleep(0.2)  # polling a condition
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", public)) != 0, "nginx's public port still answers"
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
        for pid in _processes_of(marker, var):
            os.kill(pid, signal.SIGKILL)


APOLOGY = "One moment"  # the gateway's word for a stored message that waits for the bot (handoff/router.py)


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
        return int(response.status)


async def test_nginx_routes_around_a_dead_rasa_and_action_replica(cluster: Cluster) -> None:
    """While one Rasa and one action replica are dead, the internal balancers answer from the live ones, and a
    customer gets the answer or, for a turn a dying replica took, the gateway's explicit "One moment…".

    Whether that waiting message is then delivered to the right websocket is the Redis event bus's job
    (issue 16, item 2): the fault tests check it; here only what nginx does is.
    """
    killed_rasa = await asyncio.to_thread(cluster.kill, cluster.rasa_servers[0])
    killed_actions = await asyncio.to_thread(cluster.kill, cluster.action_servers[0])
    ports, token = cluster.running.ports, cluster.settings.rasa_token
    for _ in range(4):  # round robin reaches the dead ones each time; GETs go to the next replica
        assert await asyncio.to_thread(_get, f"http://127.0.0.1:{ports.rasa_balancer}/status?token={token}") == 200
        assert await asyncio.to_thread(_get, f"http://127.0.0.1:{ports.actions_balancer}/health") == 200
    async with aiohttp.ClientSession() as http:
        answers = await asyncio.gather(*(_one_conversation(http, cluster.base_url) for _ in range(4)))
    assert all(ANSWER in answer or APOLOGY in answer for answer in answers), answers
    await asyncio.to_thread(cluster.wait_restarted, cluster.rasa_servers[0], killed_rasa)
    await asyncio.to_thread(cluster.wait_restarted, cluster.action_servers[0], killed_actions)
