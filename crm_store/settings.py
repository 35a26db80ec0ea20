"""The store's settings, and the helpers every package's settings read the environment with.

crm_store keeps only what it needs: where runtime data lives, which database to
use, and where the clock starts. The knowledge base's settings are in
``knowledge_base.settings``; the gateway's and the processes' in
``handoff.settings``. Each is read once at start-up (``from_env``) and passed
down; nothing reads the environment at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from crm_store.clock import ENV_CLOCK_START, parse_start
from crm_store.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ENV_DATABASE_URL = "DATABASE_URL"
ENV_VAR_DIR = "DESKBOT_VAR_DIR"


@dataclass(frozen=True)
class StoreSettings:
    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""  # empty: a SQLite file under var_dir
    clock_start: str = ""  # empty: the real clock; else the instant this run's clock starts from (tests, demos)

    def __post_init__(self) -> None:
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.var_dir / 'deskbot.db'}")
        parse_start(self.clock_start)  # a bad value names the variable at start-up

    def to_env(self) -> dict[str, str]:
        return {
            ENV_VAR_DIR: str(self.var_dir),
            ENV_DATABASE_URL: self.database_url,
            ENV_CLOCK_START: self.clock_start,
        }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StoreSettings:
        env = os.environ if environ is None else environ
        return cls(
            var_dir=Path(env.get(ENV_VAR_DIR) or PROJECT_ROOT / "var"),
            database_url=env.get(ENV_DATABASE_URL, ""),
            clock_start=env.get(ENV_CLOCK_START, ""),
        )


def env_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def env_port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"{name} must be a TCP port (1-65535), got {raw!r}")
    return int(raw)


def env_bool(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


__all__ = ["ENV_DATABASE_URL", "ENV_VAR_DIR", "PROJECT_ROOT", "StoreSettings", "env_bool", "env_float", "env_port"]
