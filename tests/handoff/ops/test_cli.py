"""The deskbot command as an operator runs it: in a subprocess, against real databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crm_store.settings import PROJECT_ROOT

ROOT = PROJECT_ROOT


def deskbot(*args: str, env: dict[str, str] | None = None, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "handoff.ops.cli", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in expected:
        assert fragment in lines[0], lines[0]


def test_unreachable_postgres_is_one_clear_line() -> None:
    result = deskbot("seed", env={"DATABASE_URL": "postgresql://nobody:secret@127.0.0.1:1/nowhere"})
    assert_one_clear_line(result, "cannot reach the database", "127.0.0.1:1")
    assert "secret" not in result.stderr, "the password must never be printed"


def test_unwritable_sqlite_path_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = deskbot("db", "upgrade", env={"DATABASE_URL": f"sqlite:///{blocker}/sub/deskbot.db"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unsupported_database_is_named() -> None:
    assert_one_clear_line(deskbot("db", "upgrade", env={"DATABASE_URL": "mysql://root@localhost/x"}), "mysql")


def test_an_unmigrated_database_says_what_to_run(tmp_path: Path) -> None:
    result = deskbot("seed", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    assert_one_clear_line(result, "deskbot db upgrade")


@pytest.mark.slow
def test_migrate_seed_import_and_search_end_to_end(tmp_path: Path) -> None:
    env = {"DESKBOT_VAR_DIR": str(tmp_path / "var")}
    assert deskbot("db", "upgrade", env=env).returncode == 0
    seeded = deskbot("seed", env=env)
    assert seeded.returncode == 0 and "seeded 240 customers and 1200 orders" in seeded.stdout
    again = deskbot("seed", env=env)
    assert again.returncode == 0 and "already present" in again.stdout

    imported = deskbot("kb", "import", env=env)
    assert imported.returncode == 0, imported.stderr
    assert "removed" in imported.stdout and " 0 changed" in imported.stdout

    searched = deskbot("kb", "search", "how many days do i have to send something back", env=env)
    assert searched.returncode == 0, searched.stderr
    first = searched.stdout.splitlines()[0]
    assert "return" in first and "[answer" in first, searched.stdout

    broken_dir = tmp_path / "broken"
    broken_dir.mkdir()
    (broken_dir / "bad-article.yml").write_text("title: Fine\ncategory: shipping\nanswer: ok\nquestions: nope\n")
    failed = deskbot("kb", "import", "--dir", str(broken_dir), env=env)
    assert failed.returncode == 1
    assert "bad-article.yml: questions: must be a list" in failed.stderr
    still = deskbot("kb", "search", "refund", "--json", env=env)
    assert still.returncode == 0 and '"slug"' in still.stdout, "a failed import must not empty the knowledge base"


def test_nlu_lessons_export_from_the_database(tmp_path: Path) -> None:
    import asyncio

    from crm_store.db import create_engine, session_factory, unit_of_work
    from tests.factories import make_lesson

    env = {"DESKBOT_VAR_DIR": str(tmp_path / "var")}
    assert deskbot("db", "upgrade", env=env).returncode == 0
    empty = deskbot("nlu-lessons", "export", env=env)
    assert empty.returncode == 0 and "nlu: []" in empty.stdout

    async def teach() -> None:
        engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'deskbot.db'}")
        async with unit_of_work(session_factory(engine)) as session:
            session.add(make_lesson("ask_faq", "is there next day delivery"))
        await engine.dispose()

    asyncio.run(teach())
    out = tmp_path / "lessons.yml"
    written = deskbot("nlu-lessons", "export", "--out", str(out), env=env)
    assert written.returncode == 0 and "exported 1 NLU lesson(s)" in written.stdout, written.stderr
    assert "  - intent: ask_faq\n    examples: |\n      - is there next day delivery\n" in out.read_text()
    assert deskbot("nlu-lessons", "export", env=env).stdout == out.read_text()
