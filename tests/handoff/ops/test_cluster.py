"""The replicated set-up's assembly (handoff/ops/cluster.py), without starting anything."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from pathlib import Path

import pytest

from crm_store.errors import ConfigError
from crm_store.settings import StoreSettings
from handoff.ops.cluster import ClusterPorts, build_cluster, check_ports_free, check_redis, check_settings
from handoff.ops.stack import write_endpoints
from handoff.settings import Settings
from tests.handoff.ops.test_cli import assert_one_clear_line, deskbot

POSTGRES = "postgresql://deskbot:s3cret@127.0.0.1:5432/deskbot"
REDIS = "redis://:r3dis@127.0.0.1:6390/2"


def _settings(tmp_path: Path, **fields: object) -> Settings:
    store = StoreSettings(var_dir=tmp_path, database_url=str(fields.pop("database_url", POSTGRES)))
    return Settings(store=store, **{"redis_url": REDIS, "rasa_token": "t", "internal_secret": "s", **fields})  # type: ignore[arg-type]


def test_sqlite_is_refused_naming_database_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL.*PostgreSQL.*SQLite"):
        check_settings(_settings(tmp_path, database_url=f"sqlite:///{tmp_path}/x.db"), 2)


def test_a_missing_redis_url_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="REDIS_URL"):
        check_settings(_settings(tmp_path, redis_url=""), 2)


def test_no_replicas_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--replicas must be 1 or more"):
        check_settings(_settings(tmp_path), 0)


def test_postgres_and_redis_are_accepted(tmp_path: Path) -> None:
    check_settings(_settings(tmp_path), 3)
    check_settings(_settings(tmp_path), 1)  # the production set-up before it grows: one of each behind nginx


def test_redis_that_does_not_answer_is_named_without_its_password() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: nothing answers there
        with pytest.raises(ConfigError, match=f"127.0.0.1:{port}") as refused:
            check_redis(f"redis://:hidden@127.0.0.1:{port}/0")
    assert "hidden" not in str(refused.value)


def test_ports_follow_the_single_process_ones(tmp_path: Path) -> None:
    ports = ClusterPorts.following(_settings(tmp_path), 2)
    assert (ports.public_port, ports.rasa_balancer, ports.actions_balancer) == (8080, 5005, 5055)
    assert (ports.gateways, ports.rasa, ports.actions) == ((8081, 8082), (5006, 5007), (5056, 5057))


def test_a_taken_port_is_named_with_what_needs_it(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ports = ClusterPorts.following(_settings(tmp_path, rasa_port=port - 2), 2)
        with pytest.raises(ConfigError, match=f"port {port} on 127.0.0.1 \\(Rasa server 2\\) is taken"):
            check_ports_free(ports)


def test_the_one_process_endpoints_are_unchanged(tmp_path: Path) -> None:
    endpoints = json.loads(write_endpoints(_settings(tmp_path, database_url="")).read_text())
    assert set(endpoints) == {"action_endpoint", "tracker_store"}, "no lock store: Rasa's in-memory default"
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook"
    assert endpoints["tracker_store"]["dialect"] == "sqlite"


def test_replicas_share_rasa_locks_in_redis_and_call_actions_through_nginx(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    services = build_cluster(settings, tmp_path / "model.tar.gz", ClusterPorts.following(settings, 2), "/bin/true")
    rasa_command = services.rasa[0].command
    endpoints = json.loads(Path(rasa_command[rasa_command.index("--endpoints") + 1]).read_text())
    assert endpoints["lock_store"] == {
        "type": "redis",
        "url": "127.0.0.1",
        "port": 6390,
        "db": 2,
        "username": None,
        "password": "r3dis",
        "use_ssl": False,
        "key_prefix": "deskbot",
    }
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook", "nginx's action balancer"
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert [s.command[s.command.index("--port") + 1] for s in services.rasa] == ["5006", "5007"]
    assert [s.command[s.command.index("--port") + 1] for s in services.actions] == ["5056", "5057"]


def test_gateways_reach_rasa_through_nginx_and_trust_its_forwarded_for(tmp_path: Path) -> None:
    settings = _settings(tmp_path, trusted_proxies=("10.0.0.0/8",))
    services = build_cluster(settings, tmp_path / "m.tar.gz", ClusterPorts.following(settings, 2), "/bin/true")
    ports = {gateway.env["GATEWAY_PORT"] for gateway in services.gateways}
    assert ports == {"8081", "8082"}
    for gateway in services.gateways:
        assert gateway.env["RASA_URL"] == "http://127.0.0.1:5005"
        assert gateway.env["ACTIONS_PORT"] == "5055", "the readiness check asks the action balancer"
        assert gateway.env["PUBLIC_URL"] == "http://127.0.0.1:8080", "links and origins name nginx"
        assert gateway.env["TRUSTED_PROXIES"] == "10.0.0.0/8,127.0.0.1"
        assert gateway.env["REDIS_URL"] == REDIS
        assert gateway.env["RATE_LIMIT_STORAGE"] == REDIS, "one count of the abuse limits for all replicas"
    assert "daemon off;" in services.nginx.command
    assert [s.name for s in services.in_start_order()][-3:] == ["nginx", "gateway 1", "gateway 2"]


def test_deskbot_run_replicas_on_sqlite_is_one_clear_line(tmp_path: Path) -> None:
    result = deskbot(
        "run",
        "--replicas",
        "2",
        env={"DESKBOT_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/deskbot.db", "REDIS_URL": REDIS},
    )
    assert_one_clear_line(result, "--replicas 2 needs DATABASE_URL", "PostgreSQL")


def test_deskbot_run_replicas_without_redis_is_one_clear_line(tmp_path: Path) -> None:
    result = deskbot(
        "run", "--replicas", "2", env={"DESKBOT_VAR_DIR": str(tmp_path), "DATABASE_URL": POSTGRES, "REDIS_URL": ""}
    )
    assert_one_clear_line(result, "REDIS_URL")


def test_plain_settings_keep_the_one_process_default(tmp_path: Path) -> None:
    settings = replace(_settings(tmp_path, database_url=""), redis_url="")
    assert settings.store.database_url.startswith("sqlite")
