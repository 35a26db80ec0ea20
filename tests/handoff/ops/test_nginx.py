"""nginx's generated configuration (handoff/ops/nginx.py) and the example in deploy/ that must not drift."""

from __future__ import annotations

from pathlib import Path

from crm_store.settings import PROJECT_ROOT
from handoff.ops.cluster import ClusterPorts
from handoff.ops.nginx import NginxPaths, render
from handoff.settings import Settings

EXAMPLE = PROJECT_ROOT / "deploy" / "nginx.conf.example"
EXAMPLE_PREFIX = Path("/var/lib/deskbot/run/nginx")  # `deskbot cluster-config --replicas 2 --prefix …`


def _config(replicas: int = 2) -> str:
    return render(ClusterPorts.following(Settings(), replicas).balancer(), NginxPaths(EXAMPLE_PREFIX))


def test_the_deploy_example_is_the_generators_output() -> None:
    assert EXAMPLE.read_text(encoding="utf-8") == _config(), (
        "regenerate it: deskbot cluster-config --replicas 2 --prefix /var/lib/deskbot/run/nginx > deploy/nginx.conf.example"
    )


def _block(config: str, start: str) -> str:
    begin = config.index(start)
    return config[begin : config.index("}", begin)]


def test_websockets_are_upgraded_and_may_stay_quiet_for_long() -> None:
    config = _config()
    for path in ("/ws/chat", "/console/ws"):
        block = _block(config, f"location = {path} {{")
        assert "proxy_set_header Upgrade $http_upgrade;" in block
        assert "proxy_set_header Connection $connection_upgrade;" in block
        assert block.count("proxy_set_header Connection") == 1, "one Connection header, the upgrade one"
        assert "proxy_read_timeout 3600s;" in block


def test_every_replica_is_balanced_with_passive_health_checks() -> None:
    config = _config(3)
    for port in (8081, 8082, 8083, 5006, 5007, 5008, 5056, 5057, 5058):
        assert f"server 127.0.0.1:{port} max_fails=2 fail_timeout=5s;" in config
    # 2 websockets, /, Rasa, actions, and the model server on the loopback balancer
    assert config.count("proxy_next_upstream error timeout;") == 6


def test_the_model_server_is_reachable_from_loopback_only() -> None:
    config = _config()
    public, rasa_side = config.split("listen 127.0.0.1:8080;")[1], config.split("listen 127.0.0.1:5055;")[1]
    public = public.split("server {")[0]
    rasa_side = rasa_side.split("server {")[0]
    assert "location /internal/ {\n            return 404;" in public, "the public port hides the model server"
    assert "location /internal/ {\n            proxy_pass http://deskbot_gateways;" in rasa_side


def test_internal_balancers_listen_on_loopback_only() -> None:
    config = _config()
    assert "listen 127.0.0.1:5005;" in config and "listen 127.0.0.1:5055;" in config
    assert "listen 127.0.0.1:8080;" in config, "GATEWAY_HOST is the public listen address"


def test_every_path_nginx_writes_is_under_its_prefix() -> None:
    config = _config()
    for line in config.splitlines():
        words = line.split()
        if (
            words[:1] in (["pid"], ["error_log"], ["access_log"])
            and words[1] != "off;"
            or words[:1]
            and words[0].endswith("_temp_path")
        ):
            assert words[1].startswith(str(EXAMPLE_PREFIX)), line
    assert "daemon" not in config, "`-g 'daemon off;'` sets it; a second one would be an error"


def test_no_pooled_upstream_connections_that_a_dead_replica_would_turn_into_502s() -> None:
    assert "keepalive" not in _config()
