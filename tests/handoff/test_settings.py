"""Settings read from the environment: the replicated set-up's Redis URL."""

from __future__ import annotations

import pytest

from crm_store.errors import ConfigError
from handoff.settings import ENV_REDIS_URL, Settings


def test_redis_url_travels_to_child_processes() -> None:
    settings = Settings.from_env({ENV_REDIS_URL: "redis://127.0.0.1:6379/2"})
    assert settings.redis_url == "redis://127.0.0.1:6379/2"
    assert Settings.from_env(settings.to_env()).redis_url == "redis://127.0.0.1:6379/2"
    assert Settings.from_env({}).redis_url == "", "no Redis: the single-process default"


def test_a_redis_url_of_another_kind_is_refused_without_showing_its_password() -> None:
    with pytest.raises(ConfigError, match="REDIS_URL must be a redis:// or rediss:// URL") as error:
        Settings.from_env({ENV_REDIS_URL: "http://user:secret@cache.example:6379"})
    assert "secret" not in str(error.value)


def test_the_redis_password_is_not_in_the_settings_repr() -> None:
    assert "hunter2" not in repr(Settings.from_env({ENV_REDIS_URL: "redis://:hunter2@127.0.0.1:6379/0"}))
