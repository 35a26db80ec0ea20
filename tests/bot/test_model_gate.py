"""The evaluation gate rejects a deliberately worse model, and records why."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
import yaml
from sqlalchemy import select

from crm_store import migrate
from crm_store.db import create_engine, session_factory, unit_of_work
from crm_store.models import AuditEntry, ModelRecord
from crm_store.settings import PROJECT_ROOT, StoreSettings
from handoff.learning.gate import passes_gate
from handoff.learning.nlu_lessons import Lesson
from handoff.learning.retraining import ModelManager, evaluate, taught_read_right
from handoff.ops.training import CONFIG, DATA, DOMAIN, ensure_model, rasa_environment
from handoff.settings import Settings

pytestmark = pytest.mark.slow
MISROUTED = "is there next day delivery"  # read as order_status by the shipped model (tests/e2e/test_learning.py)


def train_worse_model(workdir: Path) -> Path:
    """The same pipeline trained on two examples per intent: clearly worse, quick to train."""
    data = workdir / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("nlu"))
    (data / "nlu").mkdir()
    for path in sorted((DATA / "nlu").glob("*.yml")):
        raw = yaml.safe_load(path.read_text())
        for block in raw.get("nlu", []):
            lines = [line for line in block["examples"].splitlines() if line.strip()][:2]
            block["examples"] = "\n".join(lines) + "\n"
        (data / "nlu" / path.name).write_text(yaml.safe_dump(raw, sort_keys=False))
    rasa = str(Path(sys.executable).with_name("rasa"))
    subprocess.run(
        [
            rasa,
            "train",
            "--config",
            str(CONFIG),
            "--domain",
            str(DOMAIN),
            "--data",
            str(data),
            "--out",
            str(workdir),
            "--fixed-model-name",
            "deskbot-worse",
        ],
        cwd=PROJECT_ROOT,
        env=rasa_environment(),
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    return workdir / "deskbot-worse.tar.gz"


async def test_the_gate_rejects_a_worse_model_and_keeps_the_running_one(tmp_path: Path) -> None:
    # Minutes of training and evaluation: run once, on SQLite (the record-keeping is plain store code).
    url = f"sqlite:///{tmp_path / 'gate.db'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    good = ensure_model(PROJECT_ROOT / "var" / "models", progress=print)
    worse = train_worse_model(tmp_path)
    good_figures, worse_figures = evaluate(good), evaluate(worse)
    assert worse_figures["nlu_accuracy"] < good_figures["nlu_accuracy"], (worse_figures, good_figures)
    assert passes_gate(good_figures, worse_figures, 0.0)[0] is True
    accepted, why = passes_gate(worse_figures, good_figures, 0.0)
    assert accepted is False and "nlu_accuracy" in why

    async with aiohttp.ClientSession() as http:
        manager = ModelManager(Settings(store=StoreSettings(var_dir=tmp_path)), sessions, http)
        async with unit_of_work(sessions) as session:
            session.add(
                ModelRecord(
                    file_name=str(good), inputs_hash="good", status="active", figures=good_figures, actor="test"
                )
            )
        record = await manager.consider(worse, worse_figures, good_figures, "tara")
    assert record.status == "rejected" and "worse than the running model" in record.note
    async with unit_of_work(sessions) as session:
        active = (await session.execute(select(ModelRecord).where(ModelRecord.status == "active"))).scalars().all()
        audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "model.rejected"))).scalars().all()
    assert [r.file_name for r in active] == [str(good)], "the running model stays"
    assert audit and audit[0].details["figures"] == worse_figures and audit[0].details["baseline"] == good_figures
    await engine.dispose()


def test_a_model_not_yet_running_is_asked_how_it_reads_the_taught_questions() -> None:
    model = ensure_model(PROJECT_ROOT / "var" / "models", progress=print)
    lessons = [
        Lesson(id=1, intent="greet", text="hello there", automatic=False, approved_by_id=None, approved_at=None),
        # The shipped model routes it to order status: the lesson exists because it reads it wrong.
        Lesson(id=2, intent="ask_faq", text=MISROUTED, automatic=False, approved_by_id=None, approved_at=None),
    ]
    assert taught_read_right(model, lessons) == 1
