"""The crm_store exception hierarchy. Callers at the edges turn these into messages or status codes."""

from __future__ import annotations


class StoreError(Exception):
    """Base class; ``code`` is a stable machine-readable name."""

    code = "store_error"


class ConfigError(StoreError):
    code = "config_error"


class StoreUnavailable(StoreError):
    """The database cannot be reached (wrong URL, server down, missing file permissions)."""

    code = "store_unavailable"


class NotFound(StoreError):
    code = "not_found"


class Conflict(StoreError):
    code = "conflict"
