"""The product's settings, read once at start-up from the environment and passed down.

Every process (gateway, command-line tool, launcher) calls ``Settings.from_env()``
once. The store's part (``crm_store.settings.StoreSettings``) and the knowledge
base's (``knowledge_base.settings.KnowledgeBaseSettings``) are their own objects,
so the action server, which may not import the gateway, reads just those two.
Secrets are never logged: ``repr`` hides them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import ip_network
from pathlib import Path

from bot.metrics_access import ENV_METRICS_TOKEN
from bot.signing import ENV_INTERNAL_SECRET
from crm_store.errors import ConfigError
from crm_store.settings import StoreSettings, env_bool, env_float, env_port
from handoff.limits import check_storage_url, parse_rule
from knowledge_base.settings import KnowledgeBaseSettings

# Environment variable names, in one place so docs and code agree.
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
ENV_BOT_WAIT_HANDOFF_S = "BOT_WAIT_HANDOFF_S"
ENV_RATE_LIMIT_STORAGE = "RATE_LIMIT_STORAGE"
ENV_LOGIN_LIMIT_PER_ACCOUNT = "LOGIN_LIMIT_PER_ACCOUNT"
ENV_LOGIN_LIMIT_PER_ADDRESS = "LOGIN_LIMIT_PER_ADDRESS"
ENV_CHAT_NEW_CONVERSATIONS_LIMIT = "CHAT_NEW_CONVERSATIONS_LIMIT"
ENV_CHAT_MESSAGES_PER_CONNECTION_LIMIT = "CHAT_MESSAGES_PER_CONNECTION_LIMIT"
ENV_CHAT_MESSAGES_PER_ADDRESS_LIMIT = "CHAT_MESSAGES_PER_ADDRESS_LIMIT"
ENV_TRUSTED_PROXIES = "TRUSTED_PROXIES"
ENV_ALLOWED_ORIGINS = "ALLOWED_ORIGINS"
ENV_STAFF_IDLE_TIMEOUT_MINUTES = "STAFF_IDLE_TIMEOUT_MINUTES"
ENV_REDIS_URL = "REDIS_URL"

TELEGRAM_API_URL = "https://api.telegram.org/bot"


@dataclass(frozen=True)
class Settings:
    store: StoreSettings = field(default_factory=StoreSettings)
    knowledge_base: KnowledgeBaseSettings = field(default_factory=KnowledgeBaseSettings)
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    rasa_port: int = 5005
    actions_port: int = 5055
    rasa_url: str = ""
    rasa_token: str = field(default="", repr=False)
    internal_secret: str = field(default="", repr=False)  # the gateway, Rasa and the actions vouch with it
    widget_secret: str = field(default="", repr=False)
    demo_mode: bool = False
    public_url: str = ""
    telegram_bot_token: str = field(default="", repr=False)
    telegram_mode: str = "polling"
    telegram_webhook_secret: str = field(default="", repr=False)
    telegram_api_url: str = TELEGRAM_API_URL
    telegram_chat_interval: float = 1.0  # seconds between messages to one chat, as Telegram advises
    model_gate_tolerance: float = 0.0  # how much worse a retrained model may score and still replace the running one
    bot_wait_handoff_s: float = 120.0  # how long a message waits for a crashed bot part before a person takes over
    # Abuse limits (handoff.limits), "count/period;…": far above what real customers and staff do.
    rate_limit_storage: str = "memory://"
    login_limit_per_account: str = "5/minute;20/hour;50/day"  # failed sign-ins only
    login_limit_per_address: str = "30/minute;200/hour;1000/day"  # failed sign-ins only
    chat_new_conversations_limit: str = "30/minute;300/hour"  # per client address
    chat_messages_per_connection_limit: str = "30/minute;600/hour"
    chat_messages_per_address_limit: str = "120/minute;3000/hour"
    trusted_proxies: tuple[str, ...] = ()  # whose X-Forwarded-For names the client (addresses or networks)
    allowed_origins: tuple[str, ...] = ()  # websocket origins besides the gateway's own and PUBLIC_URL
    staff_idle_timeout_minutes: float = 480.0
    # Replicas share events, presence, the Telegram poller's lease and Rasa's lock store here; empty: one process.
    redis_url: str = field(default="", repr=False)
    metrics_token: str = field(default="", repr=False)  # /metrics from other machines (empty: loopback only)

    def __post_init__(self) -> None:
        if not self.rasa_url:
            object.__setattr__(self, "rasa_url", f"http://127.0.0.1:{self.rasa_port}")
        if not self.public_url:
            object.__setattr__(self, "public_url", f"http://{self.gateway_host}:{self.gateway_port}")
        if self.bot_wait_handoff_s <= 0:
            raise ConfigError(f"{ENV_BOT_WAIT_HANDOFF_S} must be a positive number of seconds")
        if self.telegram_mode not in ("polling", "webhook"):
            raise ConfigError(f"{ENV_TELEGRAM_MODE} must be polling or webhook, got {self.telegram_mode!r}")
        if self.telegram_bot_token and self.telegram_mode == "webhook" and len(self.telegram_webhook_secret) < 16:
            raise ConfigError(f"{ENV_TELEGRAM_WEBHOOK_SECRET} must be at least 16 characters in webhook mode")
        check_storage_url(ENV_RATE_LIMIT_STORAGE, self.rate_limit_storage)
        for name, rule in self.limit_rules.items():
            parse_rule(name, rule)
        for proxy in self.trusted_proxies:
            try:
                ip_network(proxy, strict=False)
            except ValueError:
                raise ConfigError(f"{ENV_TRUSTED_PROXIES}: {proxy!r} is not an address or network") from None
        if self.staff_idle_timeout_minutes <= 0:
            raise ConfigError(f"{ENV_STAFF_IDLE_TIMEOUT_MINUTES} must be more than 0")
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://")):
            raise ConfigError(
                f"{ENV_REDIS_URL} must be a redis:// or rediss:// URL, got {self.redis_url.split('@')[-1]!r}"
            )

    @property
    def limit_rules(self) -> dict[str, str]:
        """Each abuse limit under its environment variable's name (how errors and handoff.limits name it)."""
        return {
            ENV_LOGIN_LIMIT_PER_ACCOUNT: self.login_limit_per_account,
            ENV_LOGIN_LIMIT_PER_ADDRESS: self.login_limit_per_address,
            ENV_CHAT_NEW_CONVERSATIONS_LIMIT: self.chat_new_conversations_limit,
            ENV_CHAT_MESSAGES_PER_CONNECTION_LIMIT: self.chat_messages_per_connection_limit,
            ENV_CHAT_MESSAGES_PER_ADDRESS_LIMIT: self.chat_messages_per_address_limit,
        }

    @property
    def run_dir(self) -> Path:
        """Per-run files: generated endpoints, logs, pid files."""
        return self.store.var_dir / "run"

    @property
    def models_dir(self) -> Path:
        return self.store.var_dir / "models"

    @property
    def tracker_store_url(self) -> str:
        """Rasa's conversation trackers: a SQLite file of their own, or the same PostgreSQL server."""
        if self.store.database_url.startswith("sqlite"):
            return f"sqlite:///{self.store.var_dir / 'rasa-trackers.db'}"
        return self.store.database_url

    def to_env(self) -> dict[str, str]:
        """These settings as environment variables, for child processes that call ``from_env``."""
        return {
            **self.store.to_env(),
            **self.knowledge_base.to_env(),
            ENV_GATEWAY_HOST: self.gateway_host,
            ENV_GATEWAY_PORT: str(self.gateway_port),
            ENV_RASA_PORT: str(self.rasa_port),
            ENV_ACTIONS_PORT: str(self.actions_port),
            ENV_RASA_URL: self.rasa_url,
            ENV_RASA_TOKEN: self.rasa_token,
            ENV_INTERNAL_SECRET: self.internal_secret,
            ENV_WIDGET_SECRET: self.widget_secret,
            ENV_DEMO_MODE: "1" if self.demo_mode else "0",
            ENV_PUBLIC_URL: self.public_url,
            ENV_TELEGRAM_BOT_TOKEN: self.telegram_bot_token,
            ENV_TELEGRAM_MODE: self.telegram_mode,
            ENV_TELEGRAM_WEBHOOK_SECRET: self.telegram_webhook_secret,
            ENV_TELEGRAM_API_URL: self.telegram_api_url,
            ENV_TELEGRAM_CHAT_INTERVAL: str(self.telegram_chat_interval),
            ENV_MODEL_GATE_TOLERANCE: str(self.model_gate_tolerance),
            ENV_BOT_WAIT_HANDOFF_S: str(self.bot_wait_handoff_s),
            ENV_RATE_LIMIT_STORAGE: self.rate_limit_storage,
            **self.limit_rules,
            ENV_TRUSTED_PROXIES: ",".join(self.trusted_proxies),
            ENV_ALLOWED_ORIGINS: ",".join(self.allowed_origins),
            ENV_STAFF_IDLE_TIMEOUT_MINUTES: str(self.staff_idle_timeout_minutes),
            ENV_REDIS_URL: self.redis_url,
            ENV_METRICS_TOKEN: self.metrics_token,
        }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        defaults = cls()  # the defaults declared on the fields above
        return cls(
            store=StoreSettings.from_env(env),
            knowledge_base=KnowledgeBaseSettings.from_env(env),
            gateway_host=env.get(ENV_GATEWAY_HOST) or "127.0.0.1",
            gateway_port=env_port(env, ENV_GATEWAY_PORT, 8080),
            rasa_port=env_port(env, ENV_RASA_PORT, 5005),
            actions_port=env_port(env, ENV_ACTIONS_PORT, 5055),
            rasa_url=env.get(ENV_RASA_URL, ""),
            rasa_token=env.get(ENV_RASA_TOKEN, ""),
            internal_secret=env.get(ENV_INTERNAL_SECRET, ""),
            widget_secret=env.get(ENV_WIDGET_SECRET, ""),
            demo_mode=env_bool(env, ENV_DEMO_MODE),
            public_url=env.get(ENV_PUBLIC_URL, ""),
            telegram_bot_token=env.get(ENV_TELEGRAM_BOT_TOKEN, ""),
            telegram_mode=env.get(ENV_TELEGRAM_MODE) or "polling",
            telegram_webhook_secret=env.get(ENV_TELEGRAM_WEBHOOK_SECRET, ""),
            telegram_api_url=env.get(ENV_TELEGRAM_API_URL) or TELEGRAM_API_URL,
            telegram_chat_interval=env_float(env, ENV_TELEGRAM_CHAT_INTERVAL, 1.0),
            model_gate_tolerance=env_float(env, ENV_MODEL_GATE_TOLERANCE, 0.0),
            bot_wait_handoff_s=env_float(env, ENV_BOT_WAIT_HANDOFF_S, 120.0),
            rate_limit_storage=env.get(ENV_RATE_LIMIT_STORAGE) or defaults.rate_limit_storage,
            login_limit_per_account=env.get(ENV_LOGIN_LIMIT_PER_ACCOUNT) or defaults.login_limit_per_account,
            login_limit_per_address=env.get(ENV_LOGIN_LIMIT_PER_ADDRESS) or defaults.login_limit_per_address,
            chat_new_conversations_limit=env.get(ENV_CHAT_NEW_CONVERSATIONS_LIMIT)
            or defaults.chat_new_conversations_limit,
            chat_messages_per_connection_limit=env.get(ENV_CHAT_MESSAGES_PER_CONNECTION_LIMIT)
            or defaults.chat_messages_per_connection_limit,
            chat_messages_per_address_limit=env.get(ENV_CHAT_MESSAGES_PER_ADDRESS_LIMIT)
            or defaults.chat_messages_per_address_limit,
            trusted_proxies=_list(env.get(ENV_TRUSTED_PROXIES, "")),
            allowed_origins=_list(env.get(ENV_ALLOWED_ORIGINS, "")),
            staff_idle_timeout_minutes=env_float(
                env, ENV_STAFF_IDLE_TIMEOUT_MINUTES, defaults.staff_idle_timeout_minutes
            ),
            redis_url=env.get(ENV_REDIS_URL, ""),
            metrics_token=env.get(ENV_METRICS_TOKEN, ""),
        )


def _list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


__all__ = ["Settings"]
