"""Migrations run up and down on both databases and leave the schema the models describe."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from crm_store import migrate
from crm_store.db import create_sync_engine
from crm_store.models import Base


def _tables(url: str) -> set[str]:
    engine = create_sync_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scratch.db'}"
    # A schema-less copy would need another database; reuse the session's one by going to base and back.
    return str(request.getfixturevalue("postgres_database"))


def test_upgrade_downgrade_upgrade(scratch_url: str) -> None:
    migrate.upgrade(scratch_url)
    assert migrate.current_revision(scratch_url) == migrate.head_revision()
    assert _tables(scratch_url) == set(Base.metadata.tables)

    migrate.downgrade(scratch_url, "base")
    assert migrate.current_revision(scratch_url) is None
    assert _tables(scratch_url) == set()

    migrate.upgrade(scratch_url)
    assert _tables(scratch_url) == set(Base.metadata.tables)


def test_models_and_migrations_agree(scratch_url: str) -> None:
    """A model change without a migration shows up here as a non-empty diff."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    migrate.upgrade(scratch_url)
    engine = create_sync_engine(scratch_url)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
