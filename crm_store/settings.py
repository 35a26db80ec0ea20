"""The one settings object, read once at start-up from the environment.

Every process (gateway, action server, Rasa components, command-line tool)
calls ``Settings.from_env()`` once and passes the object down. Nothing reads
the environment at import time. Secrets are never logged: ``repr`` hides them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from crm_store.clock import ENV_CLOCK_START, parse_start
from crm_store.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Environment variable names, in one place so docs and code agree.
ENV_DATABASE_URL = "DATABASE_URL"
ENV_VAR_DIR = "DESKBOT_VAR_DIR"
ENV_EMBEDDING_MODEL = "EMBEDDING_MODEL"
ENV_KB_ARTICLES_DIR = "KB_ARTICLES_DIR"
ENV_KB_ANSWER_THRESHOLD = "KB_ANSWER_THRESHOLD"
ENV_KB_SUGGEST_THRESHOLD = "KB_SUGGEST_THRESHOLD"
ENV_GATEWAY_HOST = "GATEWAY_HOST"
ENV_GATEWAY_PORT = "GATEWAY_PORT"
ENV_RASA_PORT = "RASA_PORT"
ENV_ACTIONS_PORT = "ACTIONS_PORT"
ENV_RASA_URL = "RASA_URL"
ENV_RASA_TOKEN = "RASA_TOKEN"  # noqa: S105 (a variable name, not a secret)
ENV_WIDGET_SECRET = "WIDGET_SECRET"  # noqa: S105
ENV_DEMO_MODE = "DEMO_MODE"
ENV_PUBLIC_URL = "PUBLIC_URL"
ENV_TELEGRAM_BOT_TOKEN = "TELEGRAM_BOT_TOKEN"  # noqa: S105 (a variable name)
ENV_TELEGRAM_MODE = "TELEGRAM_MODE"
ENV_TELEGRAM_WEBHOOK_SECRET = "TELEGRAM_WEBHOOK_SECRET"  # noqa: S105
ENV_TELEGRAM_API_URL = "TELEGRAM_API_URL"
ENV_TELEGRAM_CHAT_INTERVAL = "TELEGRAM_CHAT_INTERVAL"
ENV_MODEL_GATE_TOLERANCE = "MODEL_GATE_TOLERANCE"

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
# Calibrated on tests/knowledge_base/search_eval.yml; see knowledge_base/search.py.
DEFAULT_KB_ANSWER_THRESHOLD = 0.52
DEFAULT_KB_SUGGEST_THRESHOLD = 0.40


@dataclass(frozen=True)
class Settings:
    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    kb_articles_dir: Path = PROJECT_ROOT / "knowledge_base" / "articles"
    kb_answer_threshold: float = DEFAULT_KB_ANSWER_THRESHOLD
    kb_suggest_threshold: float = DEFAULT_KB_SUGGEST_THRESHOLD
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    rasa_port: int = 5005
    actions_port: int = 5055
    rasa_url: str = ""
    rasa_token: str = field(default="", repr=False)
    widget_secret: str = field(default="", repr=False)
    demo_mode: bool = False
    public_url: str = ""
    telegram_bot_token: str = field(default="", repr=False)
    telegram_mode: str = "polling"
    telegram_webhook_secret: str = field(default="", repr=False)
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_chat_interval: float = 1.0  # seconds between messages to one chat, as Telegram advises
    model_gate_tolerance: float = 0.0  # how much worse a retrained model may score and still replace the running one
    clock_start: str = ""  # empty: the real clock; else the instant this run's clock starts from (tests, demos)

    def __post_init__(self) -> None:
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.var_dir / 'deskbot.db'}")
        if not self.rasa_url:
            object.__setattr__(self, "rasa_url", f"http://127.0.0.1:{self.rasa_port}")
        if not self.public_url:
            object.__setattr__(self, "public_url", f"http://{self.gateway_host}:{self.gateway_port}")
        if self.telegram_mode not in ("polling", "webhook"):
            raise ConfigError(f"{ENV_TELEGRAM_MODE} must be polling or webhook, got {self.telegram_mode!r}")
        if self.telegram_bot_token and self.telegram_mode == "webhook" and len(self.telegram_webhook_secret) < 16:
            raise ConfigError(f"{ENV_TELEGRAM_WEBHOOK_SECRET} must be at least 16 characters in webhook mode")
        parse_start(self.clock_start)  # a bad value names the variable at start-up
        if not 0.0 < self.kb_suggest_threshold <= self.kb_answer_threshold <= 1.0:
            raise ConfigError(
                f"{ENV_KB_SUGGEST_THRESHOLD} ({self.kb_suggest_threshold}) must be above 0 and "
                f"at most {ENV_KB_ANSWER_THRESHOLD} ({self.kb_answer_threshold}), which must be at most 1"
            )

    @property
    def run_dir(self) -> Path:
        """Per-run files: generated endpoints, logs, pid files."""
        return self.var_dir / "run"

    @property
    def models_dir(self) -> Path:
        return self.var_dir / "models"

    @property
    def tracker_store_url(self) -> str:
        """Rasa's conversation trackers: a SQLite file of their own, or the same PostgreSQL server."""
        if self.database_url.startswith("sqlite"):
            return f"sqlite:///{self.var_dir / 'rasa-trackers.db'}"
        return self.database_url

    def to_env(self) -> dict[str, str]:
        """These settings as environment variables, for child processes that call ``from_env``."""
        return {
            ENV_VAR_DIR: str(self.var_dir),
            ENV_DATABASE_URL: self.database_url,
            ENV_EMBEDDING_MODEL: self.embedding_model,
            ENV_KB_ARTICLES_DIR: str(self.kb_articles_dir),
            ENV_KB_ANSWER_THRESHOLD: str(self.kb_answer_threshold),
            ENV_KB_SUGGEST_THRESHOLD: str(self.kb_suggest_threshold),
            ENV_GATEWAY_HOST: self.gateway_host,
            ENV_GATEWAY_PORT: str(self.gateway_port),
            ENV_RASA_PORT: str(self.rasa_port),
            ENV_ACTIONS_PORT: str(self.actions_port),
            ENV_RASA_URL: self.rasa_url,
            ENV_RASA_TOKEN: self.rasa_token,
            ENV_WIDGET_SECRET: self.widget_secret,
            ENV_DEMO_MODE: "1" if self.demo_mode else "0",
            ENV_PUBLIC_URL: self.public_url,
            ENV_TELEGRAM_BOT_TOKEN: self.telegram_bot_token,
            ENV_TELEGRAM_MODE: self.telegram_mode,
            ENV_TELEGRAM_WEBHOOK_SECRET: self.telegram_webhook_secret,
            ENV_TELEGRAM_API_URL: self.telegram_api_url,
            ENV_TELEGRAM_CHAT_INTERVAL: str(self.telegram_chat_interval),
            ENV_MODEL_GATE_TOLERANCE: str(self.model_gate_tolerance),
            ENV_CLOCK_START: self.clock_start,
        }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        var_dir = Path(env.get(ENV_VAR_DIR) or PROJECT_ROOT / "var")
        return cls(
            var_dir=var_dir,
            database_url=env.get(ENV_DATABASE_URL, ""),
            embedding_model=env.get(ENV_EMBEDDING_MODEL) or DEFAULT_EMBEDDING_MODEL,
            kb_articles_dir=Path(env.get(ENV_KB_ARTICLES_DIR) or PROJECT_ROOT / "knowledge_base" / "articles"),
            kb_answer_threshold=_float(env, ENV_KB_ANSWER_THRESHOLD, DEFAULT_KB_ANSWER_THRESHOLD),
            kb_suggest_threshold=_float(env, ENV_KB_SUGGEST_THRESHOLD, DEFAULT_KB_SUGGEST_THRESHOLD),
            gateway_host=env.get(ENV_GATEWAY_HOST) or "127.0.0.1",
            gateway_port=_port(env, ENV_GATEWAY_PORT, 8080),
            rasa_port=_port(env, ENV_RASA_PORT, 5005),
            actions_port=_port(env, ENV_ACTIONS_PORT, 5055),
            rasa_url=env.get(ENV_RASA_URL, ""),
            rasa_token=env.get(ENV_RASA_TOKEN, ""),
            widget_secret=env.get(ENV_WIDGET_SECRET, ""),
            demo_mode=_bool(env, ENV_DEMO_MODE),
            public_url=env.get(ENV_PUBLIC_URL, ""),
            telegram_bot_token=env.get(ENV_TELEGRAM_BOT_TOKEN, ""),
            telegram_mode=env.get(ENV_TELEGRAM_MODE) or "polling",
            telegram_webhook_secret=env.get(ENV_TELEGRAM_WEBHOOK_SECRET, ""),
            telegram_api_url=env.get(ENV_TELEGRAM_API_URL) or "https://api.telegram.org/bot",
            telegram_chat_interval=_float(env, ENV_TELEGRAM_CHAT_INTERVAL, 1.0),
            model_gate_tolerance=_float(env, ENV_MODEL_GATE_TOLERANCE, 0.0),
            clock_start=env.get(ENV_CLOCK_START, ""),
        )


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"{name} must be a TCP port (1-65535), got {raw!r}")
    return int(raw)


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be true or false, got {raw!r}")
