"""The one settings object, read once at start-up from the environment.

Every process (gateway, action server, command-line tool) calls
``Settings.from_env()`` once and passes the object down. Nothing reads the
environment at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from crm_store.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Environment variable names, in one place so docs and code agree.
ENV_DATABASE_URL = "DATABASE_URL"
ENV_VAR_DIR = "DESKBOT_VAR_DIR"
ENV_EMBEDDING_MODEL = "EMBEDDING_MODEL"
ENV_KB_ARTICLES_DIR = "KB_ARTICLES_DIR"
ENV_KB_ANSWER_THRESHOLD = "KB_ANSWER_THRESHOLD"
ENV_KB_SUGGEST_THRESHOLD = "KB_SUGGEST_THRESHOLD"

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
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.var_dir / 'deskbot.db'}")
        if not 0.0 < self.kb_suggest_threshold <= self.kb_answer_threshold <= 1.0:
            raise ConfigError(
                f"{ENV_KB_SUGGEST_THRESHOLD} ({self.kb_suggest_threshold}) must be above 0 and "
                f"at most {ENV_KB_ANSWER_THRESHOLD} ({self.kb_answer_threshold}), which must be at most 1"
            )

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
        )


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
