"""Schema migrations (Alembic), run on SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import exc

from crm_store.db import create_sync_engine, unreachable_message
from crm_store.errors import StoreUnavailable

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _run(database_url: str, action, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    engine = create_sync_engine(database_url)
    try:
        with engine.begin() as connection:
            config = _config()
            config.attributes["connection"] = connection
            action(config, *args, **kwargs)
    except (exc.OperationalError, exc.InterfaceError) as error:
        raise StoreUnavailable(unreachable_message(database_url, error)) from error
    finally:
        engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> None:
    _run(database_url, command.upgrade, revision)


def downgrade(database_url: str, revision: str) -> None:
    _run(database_url, command.downgrade, revision)


def make_revision(database_url: str, message: str) -> None:
    """Autogenerate a migration from the models' difference to the database (developers only)."""
    _run(database_url, command.revision, message=message, autogenerate=True)


def current_revision(database_url: str) -> str | None:
    engine = create_sync_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except (exc.OperationalError, exc.InterfaceError) as error:
        raise StoreUnavailable(unreachable_message(database_url, error)) from error
    finally:
        engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()
