"""nginx in front of the replicas: its generated configuration, finding (or installing) it, and checking a config.

One public server balances the gateways (HTTP and the two websockets); two loopback-only servers balance
the Rasa servers (for the gateways) and the action servers (for Rasa), so a killed replica of any kind is
routed around instead of failing the messages sent to it. nginx runs in the foreground as a child of
``deskbot run`` with every path (pid, logs, temporary files) under its own run directory: it needs no
system configuration and never touches /etc/nginx.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from handoff.ops.stack import ServiceFailed

# The two websockets of the gateway (handoff/channels/web/chat.py, handoff/console/live.py).
WEBSOCKET_PATHS = ("/ws/chat", "/console/ws")
INTERNAL_PREFIX = "/internal/"  # what only the product's own processes call (the model server)
# Answered by nginx itself on the internal Rasa port: the supervisor's health check of nginx alone.
NGINX_ALIVE_PATH = "/nginx-alive"
# A replica that refused or timed out this many times in FAIL_TIMEOUT is left out for FAIL_TIMEOUT.
MAX_FAILS = 2
FAIL_TIMEOUT = "5s"
# A chat websocket is quiet while the customer reads; the widget reconnects after an hour of silence.
WEBSOCKET_READ_TIMEOUT = "3600s"
# Request bodies the gateway accepts are 64 kB (handoff/app.py); kept in memory, so no worker ever needs a
# temporary file (workers run as an unprivileged user when nginx is started by root and could not write them).
BODY_BUFFER = "1m"
INSTALL_HINT = "sudo apt-get install nginx"


class NginxUnavailable(ServiceFailed):
    """nginx is missing and cannot be installed here, or a generated configuration does not pass ``nginx -t``."""


@dataclass(frozen=True)
class Balancer:
    """What nginx listens on and where it sends requests: ``host:port`` addresses."""

    public_host: str
    public_port: int
    gateways: tuple[str, ...]
    rasa_port: int  # loopback: the gateways' RASA_URL
    rasa_servers: tuple[str, ...]
    actions_port: int  # loopback: Rasa's action endpoint
    action_servers: tuple[str, ...]


@dataclass(frozen=True)
class NginxPaths:
    """Everything nginx writes, inside one directory of the run."""

    prefix: Path

    @property
    def conf(self) -> Path:
        return self.prefix / "nginx.conf"

    @property
    def error_log(self) -> Path:
        return self.prefix / "error.log"

    @property
    def access_log(self) -> Path:
        return self.prefix / "access.log"

    @property
    def pid(self) -> Path:
        return self.prefix / "nginx.pid"

    @property
    def temp(self) -> Path:
        return self.prefix / "temp"


def _upstream(name: str, servers: tuple[str, ...]) -> str:
    lines = [f"    upstream {name} {{"]
    lines += [f"        server {server} max_fails={MAX_FAILS} fail_timeout={FAIL_TIMEOUT};" for server in servers]
    # No `keepalive` pool, on purpose: a POST sent on a pooled connection to a replica that has just died
    # (or just closed it as idle) fails after it was sent, and nginx rightly never resends a POST: the
    # customer would see a 502. A fresh loopback connection to a dead replica is refused before anything
    # is sent, and the request goes to the next replica. It costs one local connect per request.
    lines += ["    }"]
    return "\n".join(lines)


def _proxied(upstream: str, connection: str = "close", indent: str = "            ") -> str:
    # One connection per request (see _upstream); a websocket's handshake passes "Connection: upgrade" on.
    # `error timeout`: a refused or silent replica gets the request again elsewhere; nginx never resends a
    # POST that reached a replica, so only idempotent requests are ever repeated.
    return "\n".join(
        indent + line
        for line in (
            f"proxy_pass http://{upstream};",
            "proxy_http_version 1.1;",
            f"proxy_set_header Connection {connection};",
            "proxy_set_header Host $http_host;",
            "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            "proxy_set_header X-Forwarded-Proto $scheme;",
            "proxy_next_upstream error timeout;",
            "proxy_next_upstream_tries 3;",
            "proxy_connect_timeout 2s;",
        )
    )


def render(balancer: Balancer, paths: NginxPaths) -> str:
    """The whole nginx.conf. No ``daemon``/``master_process`` lines: ``-g 'daemon off;'`` sets them at start."""
    temp = paths.temp
    websockets = "\n".join(
        f"""        location = {path} {{
{_proxied("deskbot_gateways", connection="$connection_upgrade")}
            proxy_set_header Upgrade $http_upgrade;
            proxy_read_timeout {WEBSOCKET_READ_TIMEOUT};
            proxy_send_timeout {WEBSOCKET_READ_TIMEOUT};
        }}"""
        for path in WEBSOCKET_PATHS
    )
    return f"""# Generated by `deskbot cluster-config` / `deskbot run --replicas N` (handoff/ops/nginx.py): do not edit.
worker_processes 1;
pid {paths.pid};
error_log {paths.error_log} warn;

events {{
    worker_connections 4096;
}}

http {{
    # $uri, never $request: Rasa's API token travels in the query string (?token=…) and must not be logged.
    log_format upstreams '$remote_addr [$time_iso8601] "$request_method $uri $server_protocol" $status '
                         'upstream=$upstream_addr request_time=$request_time';
    access_log {paths.access_log} upstreams;
    default_type application/octet-stream;
    server_tokens off;
    client_max_body_size {BODY_BUFFER};
    client_body_buffer_size {BODY_BUFFER};
    proxy_max_temp_file_size 0;
    client_body_temp_path {temp}/client_body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;

    # A websocket handshake carries "Upgrade: websocket"; pass it and "Connection: upgrade" on.
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        '' close;
    }}

{_upstream("deskbot_gateways", balancer.gateways)}

{_upstream("deskbot_rasa", balancer.rasa_servers)}

{_upstream("deskbot_actions", balancer.action_servers)}

    # The product's one public address: web chat, Telegram webhooks, the consoles and the API.
    server {{
        listen {balancer.public_host}:{balancer.public_port};
{websockets}
        # The gateways' internal routes (the model server) are for Rasa, over the loopback balancer below.
        location {INTERNAL_PREFIX} {{
            return 404;
        }}
        location / {{
{_proxied("deskbot_gateways")}
        }}
    }}

    # Loopback only: each gateway's Rasa. nginx's error lines quote the whole request, Rasa's ?token=… with
    # it, so only critical ones are logged here; the supervisor reports a replica that died.
    server {{
        listen 127.0.0.1:{balancer.rasa_port};
        error_log {paths.error_log} crit;
        location = {NGINX_ALIVE_PATH} {{
            access_log off;
            return 200 "alive\\n";
        }}
        location / {{
{_proxied("deskbot_rasa")}
            proxy_read_timeout 120s;
        }}
    }}

    # Loopback only: what each Rasa server calls: the action servers, and the gateways' model server it pulls from.
    server {{
        listen 127.0.0.1:{balancer.actions_port};
        location {INTERNAL_PREFIX} {{
{_proxied("deskbot_gateways")}
        }}
        location / {{
{_proxied("deskbot_actions")}
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


def write_config(balancer: Balancer, paths: NginxPaths) -> Path:
    for directory in (paths.prefix, paths.temp):
        directory.mkdir(parents=True, exist_ok=True)
    paths.conf.write_text(render(balancer, paths), encoding="utf-8")
    return paths.conf


def command(binary: str, paths: NginxPaths) -> list[str]:
    """nginx in the foreground (a supervised child), every path inside ``paths.prefix``."""
    return [binary, "-p", str(paths.prefix), "-c", str(paths.conf), "-e", str(paths.error_log), "-g", "daemon off;"]


def check_config(binary: str, paths: NginxPaths) -> None:
    """``nginx -t`` on the generated file: a broken one is named before anything starts."""
    result = subprocess.run(  # noqa: S603 (our own binary and paths)
        [binary, "-t", "-p", str(paths.prefix), "-c", str(paths.conf), "-e", str(paths.error_log)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise NginxUnavailable(f"nginx rejects {paths.conf}:\n{(result.stderr or result.stdout).strip()}")


def find_nginx() -> str | None:
    # /usr/sbin is not on an ordinary user's PATH on Debian.
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def ensure_nginx(progress: Callable[[str], None] = print) -> str:
    """The nginx binary; installed from Debian's package when missing and we are root, as `make browser` does."""
    binary = find_nginx()
    if binary is not None:
        return binary
    if os.geteuid() != 0:
        raise NginxUnavailable(f"nginx is not installed and only root can install it: {INSTALL_HINT}")
    if shutil.which("apt-get") is None:
        raise NginxUnavailable("nginx is not installed and there is no apt-get here: install nginx (1.19.5 or newer)")
    progress("installing nginx (Debian package; a minute)")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "nginx"]):
        result = subprocess.run(step, capture_output=True, text=True, env=environment, check=False)  # noqa: S603
        if result.returncode != 0:
            raise NginxUnavailable(
                f"`{' '.join(step)}` failed; install nginx yourself:\n{result.stderr.strip()[-800:]}"
            )
    binary = find_nginx()
    if binary is None:
        raise NginxUnavailable(f"nginx was installed but is not found on PATH or in /usr/sbin: {INSTALL_HINT}")
    return binary


__all__ = [
    "NGINX_ALIVE_PATH",
    "WEBSOCKET_PATHS",
    "Balancer",
    "NginxPaths",
    "NginxUnavailable",
    "check_config",
    "command",
    "ensure_nginx",
    "find_nginx",
    "render",
    "write_config",
]
