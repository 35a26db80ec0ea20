"""Starting and watching the three processes: action server, Rasa server, gateway.

Used by ``deskbot run`` and by the end-to-end tests, so the tests start the
product exactly as an operator does.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.signing import actions_token
from crm_store.settings import PROJECT_ROOT
from handoff.ops.supervisor import ESSENTIAL, BackgroundSupervisor, StopRequested, Supervisor, stop_on_signals
from handoff.ops.training import rasa_environment
from handoff.settings import Settings

START_TIMEOUT_S = 240
STOP_GRACE_S = 7.0  # then SIGKILL: `deskbot run` must be gone within 10 s of a SIGTERM


PR_SET_PDEATHSIG = 1  # linux/prctl.h
LIVENESS_TIMEOUT_S = 5.0  # a loaded part may be slow; the supervisor wants a minute of silence besides


class ServiceFailed(RuntimeError):
    pass


def _stop_with_launcher() -> None:
    """In the child, before exec: SIGTERM it when the thread that started it dies, even by SIGKILL.

    Without this a launcher (``deskbot run``, a test run) that is killed outright leaves the three
    servers running and holding their ports. Linux only; elsewhere the launcher's own stop is all.
    """
    if sys.platform == "linux":
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _answers(url: str, timeout_s: float) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 (loopback URL we built)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    log_path: Path
    env: dict[str, str]
    live_url: str = ""  # answers while the process serves at all (health_url may also need other parts)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_stop_with_launcher,  # noqa: PLW1509 (only a prctl call, before exec)
        )
        log.close()

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def healthy(self) -> bool:
        return _answers(self.health_url, timeout_s=2)

    def alive(self) -> bool:
        return _answers(self.live_url or self.health_url, timeout_s=LIVENESS_TIMEOUT_S)

    def kill(self) -> None:
        self.signal_group(signal.SIGKILL)

    def log_tail(self, lines: int = 12) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    def signal_group(self, signum: int) -> None:
        """Signal the whole process group: Rasa and the action server start workers of their own."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # the group is gone already
            os.killpg(self.process.pid, signum)

    def group_alive(self) -> bool:
        if self.process is None:
            return False
        self.process.poll()  # reap the leader, or killpg(…, 0) finds the zombie and answers "alive"
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        stop_all([self], grace_s)


def stop_all(services: list[Service], grace_s: float = STOP_GRACE_S) -> None:
    """SIGTERM every group at once, SIGKILL what is left after ``grace_s``: all gone well within 10 s."""
    for service in services:
        service.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while any(service.group_alive() for service in services) and time.monotonic() < deadline:
        time.sleep(0.1)
    for service in services:
        if service.group_alive():
            service.signal_group(signal.SIGKILL)
    for service in services:
        if service.process is not None:
            # Killed; should it sit in uninterruptible sleep, the kernel reaps it when it wakes.
            with contextlib.suppress(subprocess.TimeoutExpired):
                service.process.wait(timeout=2)


def with_secrets(settings: Settings) -> Settings:
    """Fill in the Rasa API token (new each run) and the widget secret (kept in var/ so tokens survive restarts)."""
    widget_secret = settings.widget_secret
    if not widget_secret:
        path = settings.store.var_dir / "secrets.json"
        stored = json.loads(path.read_text()) if path.exists() else {}
        widget_secret = stored.get("widget_secret") or secrets.token_hex(32)
        if stored.get("widget_secret") != widget_secret:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"widget_secret": widget_secret}))
            path.chmod(0o600)
    settings = replace(
        settings,
        rasa_token=settings.rasa_token or secrets.token_urlsafe(24),
        internal_secret=settings.internal_secret or secrets.token_hex(32),
        widget_secret=widget_secret,
    )
    # `deskbot retrain` talks to the running Rasa with this token; only the owner can read it.
    token_file = settings.run_dir / "rasa-token"
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.touch(mode=0o600)
    token_file.write_text(settings.rasa_token)
    return settings


def _tracker_store(settings: Settings) -> dict[str, Any]:
    """Rasa's own SQL store with recent conversations kept in memory (bot/tracker_store.py)."""
    url = make_url(settings.tracker_store_url)
    store = "bot.tracker_store.CachedSQLTrackerStore"
    if url.get_backend_name() == "sqlite":
        return {"type": store, "dialect": "sqlite", "db": url.database}
    return {
        "type": store,
        "dialect": "postgresql",
        "url": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "db": url.database,
        "username": url.username or "",
        "password": url.password or "",
    }


def redis_lock_store(redis_url: str) -> dict[str, Any]:
    """Rasa's RedisLockStore from REDIS_URL: a conversation's turns are taken one at a time by whichever
    Rasa replica gets them (Rasa's in-memory default only serialises turns inside one process)."""
    url = make_url(redis_url)
    return {
        "type": "redis",
        "url": url.host or "127.0.0.1",
        "port": url.port or 6379,
        "db": int(url.database or 0),
        "username": url.username or None,
        "password": url.password or None,
        "use_ssl": url.drivername == "rediss",
        "key_prefix": "deskbot",
    }


def write_endpoints(
    settings: Settings,
    actions_url: str | None = None,
    *,
    shared_locks: bool = False,
    models: dict[str, Any] | None = None,
) -> Path:
    """Rasa's endpoints: our action server, and a SQL tracker store so conversations survive restarts.

    ``actions_url`` is where Rasa calls the actions (default: the one local action server); replicas call
    nginx's internal balancer instead, take ``shared_locks`` (Rasa's lock store in REDIS_URL) and pull the
    active model from the gateways' model server (``models``, handoff.learning.model_server).
    """
    endpoints: dict[str, Any] = {
        # The action server answers only calls with this token (actions/server.py); this file is the owner's only.
        "action_endpoint": {
            "url": actions_url or f"http://127.0.0.1:{settings.actions_port}/webhook",
            "headers": {"Authorization": f"Bearer {actions_token(settings.internal_secret)}"},
        },
        "tracker_store": _tracker_store(settings),
    }
    if shared_locks:
        endpoints["lock_store"] = redis_lock_store(settings.redis_url)
    if models is not None:
        endpoints["models"] = models
    path = settings.run_dir / "endpoints.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(endpoints, indent=2))  # JSON is valid YAML
    return path


def one_blas_thread() -> dict[str, str]:
    """numpy's and scipy's OpenBLAS run each matrix product of a request on every core and then keep their threads
    spinning for a while: on 2 cores shared by three services that cost Rasa about 6 ms of CPU per message for a
    product worth microseconds (issue 15). The operator may still set it."""
    return {"OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")}


def service_environment(settings: Settings) -> dict[str, str]:
    return {**rasa_environment(), **settings.to_env(), **one_blas_thread()}


def action_server(settings: Settings, name: str = "action server", log_name: str = "actions.log") -> Service:
    """An action server on ``settings.actions_port``."""
    port = settings.actions_port
    return Service(
        name,
        [sys.executable, "-m", "actions.server", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        settings.run_dir / log_name,
        {**service_environment(settings), "SANIC_HOST": "127.0.0.1"},
    )


def rasa_server(
    settings: Settings, model: Path, endpoints: Path, name: str = "Rasa server", log_name: str = "rasa.log"
) -> Service:
    """A Rasa server on ``settings.rasa_port``."""
    port = settings.rasa_port
    return Service(
        name,
        [
            # Rasa's own `rasa run`, with the API token from the environment, not the command line.
            sys.executable,
            "-m",
            "bot.serve",
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--model",
            str(model),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(PROJECT_ROOT / "bot" / "credentials.yml"),
        ],
        f"http://127.0.0.1:{port}/status?token={settings.rasa_token}",
        settings.run_dir / log_name,
        service_environment(settings),
    )


def gateway(settings: Settings, name: str = "gateway", log_name: str = "gateway.log") -> Service:
    """A gateway on ``settings.gateway_port``, calling Rasa at ``settings.rasa_url``."""
    port = settings.gateway_port
    return Service(
        name,
        [sys.executable, "-m", "handoff.app"],
        # Ready, not just alive: "gateway is up" means a message is answered at once.
        f"http://127.0.0.1:{port}/readyz",
        settings.run_dir / log_name,
        service_environment(settings),
        live_url=f"http://127.0.0.1:{port}/livez",
    )


def build_services(settings: Settings, model: Path) -> list[Service]:
    """One of each, on one machine: ``deskbot run`` (handoff/ops/cluster.py builds the replicated set)."""
    return [action_server(settings), rasa_server(settings, model, write_endpoints(settings)), gateway(settings)]


class Stack:
    def __init__(
        self,
        services: list[Service],
        progress: Callable[[str], None] = print,
        essential: tuple[str, ...] = ESSENTIAL,
    ) -> None:
        """``essential``: the services whose death ends the run (the one gateway); replicas have none."""
        self.services = services
        self.progress = progress
        self.essential = essential
        self._background: BackgroundSupervisor | None = None

    def start(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Start every service and wait until each is healthy; on failure stop all and say which and why."""
        deadline = time.monotonic() + timeout_s
        try:
            for service in self.services:
                service.start()
            for service in self.services:
                self._wait_healthy(service, deadline)
                self.progress(f"{service.name} is up")
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, service: Service, deadline: float) -> None:
        while not service.healthy():
            for any_service in self.services:
                code = any_service.exit_code()
                if code is not None:
                    raise ServiceFailed(
                        f"{any_service.name} exited with code {code} while starting; last lines of "
                        f"{any_service.log_path}:\n{any_service.log_tail()}"
                    )
            if time.monotonic() > deadline:
                raise ServiceFailed(
                    f"{service.name} did not become healthy in time; see {service.log_path}:\n{service.log_tail()}"
                )
            time.sleep(0.5)

    def watch(self) -> int:
        """Supervise until SIGTERM / Ctrl-C, the gateway's death or a crash loop; returns the exit code."""
        supervisor = Supervisor(self.services, progress=self.progress, essential=self.essential)
        try:
            with stop_on_signals():
                while True:
                    code = supervisor.check()
                    if code is not None:
                        return code
                    time.sleep(0.5)
        except (StopRequested, KeyboardInterrupt):
            self.progress("stopping…")
            return 0
        finally:
            self.stop()

    @property
    def background_supervisor(self) -> Supervisor | None:
        return None if self._background is None else self._background.supervisor

    def supervise_in_background(self) -> None:
        """Restart crashed parts while another program (a test, a bench) uses the running product."""
        self._background = BackgroundSupervisor(
            Supervisor(self.services, progress=self.progress, essential=self.essential)
        )
        self._background.start()

    def stop(self) -> None:
        if self._background is not None:
            self._background.stop()  # first, or it would restart what is being stopped
        stop_all(self.services)
