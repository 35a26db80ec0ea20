"""Retraining with an evaluation gate and a hot swap.

A retrain trains a model from the current bot/ data plus the approved NLU
lessons (exported from the database to the var directory), evaluates it and the running model on the same held-out data
(bot/tests/nlu_test.yml, the test stories and the taught questions), and activates the new one
through Rasa's model API only when the gate (handoff.learning.gate) finds it not worse than the running one. Conversations live in the tracker store, so none is
dropped by the swap. Every activation, rejection and rollback is recorded
with its figures, and with what it did for each taught question (how the
running bot read it before the retrain and reads it after the gate's verdict).

Every model trained or registered is also put in the model store (the database, handoff.learning.model_store),
so any host can evaluate or load it. How the swap reaches Rasa depends on the set-up: one process PUTs the
file to its one Rasa's model API; replicated (``REDIS_URL`` set), activating only marks the record, and
every Rasa replica pulls the active model from the gateways' model server (handoff.learning.model_server).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy.orm import sessionmaker

from crm_store.db import unit_of_work
from crm_store.errors import NotFound
from crm_store.models import ModelRecord
from crm_store.models.base import utcnow
from crm_store.repositories import AuditRepository, ModelRecordRepository
from crm_store.settings import PROJECT_ROOT
from handoff.learning.gate import TaughtScore, passes_gate
from handoff.learning.lesson_report import REPORT_KEY, read_all, summary, taught_report
from handoff.learning.model_server import WAIT_TIME_BETWEEN_PULLS_S
from handoff.learning.model_store import inputs_hash_of, record_active, store_model, stored, write_out
from handoff.learning.nlu_lessons import Lesson, approved_lessons, export_for_training
from handoff.ops.training import ensure_model, model_path, rasa_environment
from handoff.rasa_client import RasaClient
from handoff.settings import Settings

logger = logging.getLogger(__name__)
NLU_TEST = PROJECT_ROOT / "bot" / "tests" / "nlu_test.yml"
STORY_TESTS = PROJECT_ROOT / "bot" / "tests" / "test_stories.yml"


@dataclass
class TrainingState:
    state: str = "idle"  # idle | running | failed
    progress: str = ""
    started_at: datetime | None = None
    log: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "progress": self.progress,
            "started_at": self.started_at.isoformat() if self.started_at else None,
        }


def evaluate(model: Path, *, nlu_test: Path = NLU_TEST, stories: Path = STORY_TESTS) -> dict[str, float]:
    """NLU accuracy and macro-F1 on the held-out split (and its size), and the share of test stories passed."""
    rasa = str(Path(sys.executable).with_name("rasa"))
    with tempfile.TemporaryDirectory(prefix="deskbot-eval-") as workdir:
        out = Path(workdir)
        report = _nlu_report(model, nlu_test, out / "nlu")
        _run_rasa_tool(
            [rasa, "test", "core", "--model", str(model), "--stories", str(stories), "--out", str(out / "core")]
            + ["--endpoints", str(out / "none.yml")]
        )
        total = stories.read_text().count("  - story:")
        failed_file = out / "core" / "failed_test_stories.yml"
        failed = failed_file.read_text().count("- story:") if failed_file.exists() else 0
    return {
        "nlu_accuracy": round(float(report["accuracy"]), 4),
        "nlu_macro_f1": round(float(report["macro avg"]["f1-score"]), 4),
        "nlu_examples": int(report["weighted avg"]["support"]),
        "story_accuracy": round((total - failed) / total, 4) if total else 1.0,
    }


def taught_read_right(model: Path, lessons: list[Lesson]) -> int:
    """How many approved NLU lessons the model (not yet running) reads with their taught intent, as Rasa would."""
    result = _run_rasa_tool(
        [sys.executable, "-m", "bot.read_intents", str(model)], stdin=json.dumps([lesson.text for lesson in lessons])
    )
    intents = json.loads(result.stdout.strip().splitlines()[-1])
    return sum(intent == lesson.intent for intent, lesson in zip(intents, lessons, strict=True))


def _nlu_report(model: Path, data: Path, out: Path) -> dict[str, Any]:
    rasa = str(Path(sys.executable).with_name("rasa"))
    _run_rasa_tool([rasa, "test", "nlu", "--model", str(model), "--nlu", str(data), "--out", str(out)])
    report: dict[str, Any] = json.loads((out / "intent_report.json").read_text())
    return report


def _run_rasa_tool(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """A Rasa command (or one of ours that loads a model) in the project, with the bot's environment."""
    return subprocess.run(
        args,
        input=stdin,
        cwd=PROJECT_ROOT,
        env=rasa_environment(),
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )


def numbers(figures: dict[str, Any] | None) -> dict[str, float]:
    """The figures a gate compares (a record's figures also carry its taught-question report)."""
    return {name: value for name, value in (figures or {}).items() if isinstance(value, (int, float))}


class ModelManager:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker,
        http: aiohttp.ClientSession,
        *,
        tolerance: float = 0.0,
        replicated: bool | None = None,
        cache_dir: Path | None = None,
        pull_timeout_s: float = 6 * WAIT_TIME_BETWEEN_PULLS_S,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.http = http
        self.tolerance = tolerance
        # Replicated (REDIS_URL set): the Rasa replicas pull the active model from the database through the
        # gateway's model server, so activating is marking a record; one process: PUT the file to the one Rasa.
        self.replicated = bool(settings.redis_url) if replicated is None else replicated
        # Where models trained on another host are written out of the store (the same folder training fills).
        self.cache_dir = cache_dir if cache_dir is not None else settings.models_dir
        self.pull_timeout_s = pull_timeout_s
        self.rasa = RasaClient(http, settings.rasa_url, settings.rasa_token, secret=settings.internal_secret)
        self.training = TrainingState()
        self._task: asyncio.Task[None] | None = None

    async def records(self) -> list[ModelRecord]:
        async with unit_of_work(self.sessions) as session:
            return await ModelRecordRepository(session).newest_first()

    async def active(self) -> ModelRecord | None:
        async with unit_of_work(self.sessions) as session:
            return await ModelRecordRepository(session).active()

    async def register_running(self, actor: str = "deskbot run") -> ModelRecord | None:
        """Record the model Rasa is running as the active one, and put its file in the model store.

        Replicated, the database says which model runs (every replica pulls it), so an active record stands
        as it is: asking Rasa through a load balancer could name a replica that has not pulled it yet.
        """
        if self.replicated and (active := await self.active()) is not None:
            return active
        model_file = await self._running_model_file()
        if not model_file:
            return None
        model = await asyncio.to_thread(self._locate, str(model_file))
        if not await asyncio.to_thread(model.exists):
            # Not on this host: Rasa pulled it, or another gateway trained it; the store may have it.
            with contextlib.suppress(NotFound):
                model = await write_out(self.sessions, inputs_hash_of(model), self.cache_dir)
        if await asyncio.to_thread(model.exists):
            return await record_active(self.sessions, model, actor)
        return await self._record_unstored_as_active(model, actor)

    async def _record_unstored_as_active(self, model: Path, actor: str) -> ModelRecord:
        """Rasa runs a model whose file is nowhere to be found: record it all the same, as before the store."""
        async with unit_of_work(self.sessions) as session:
            records = ModelRecordRepository(session)
            existing = await records.latest_with_hash(inputs_hash_of(model))
            await records.retire_active(keep=existing.id if existing is not None else None)
            if existing is None:
                existing = ModelRecord(file_name=str(model), inputs_hash=inputs_hash_of(model), actor=actor)
                await records.add(existing)
            existing.status, existing.activated_at = "active", utcnow()
            await session.flush()
            return existing

    async def _running_model_file(self) -> str | None:
        """The model file Rasa's /status names (behind a load balancer: whichever replica answered), if any."""
        try:
            async with self.http.get(
                f"{self.settings.rasa_url}/status",
                params={"token": self.settings.rasa_token},
                timeout=aiohttp.ClientTimeout(total=5),
            ) as response:
                model_file = (await response.json()).get("model_file") if response.status == 200 else None
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return None
        return str(model_file) if model_file else None

    def _locate(self, model_file: str) -> Path:
        """Rasa reports the model's file name; find the file among the places models are kept."""
        name = Path(model_file).name
        for folder in (
            Path(model_file).parent,
            self.cache_dir,
            self.settings.models_dir,
            PROJECT_ROOT / "var" / "models",
        ):
            candidate = folder / name
            if candidate.is_absolute() and candidate.exists():
                return candidate
        return Path(os.path.abspath(self.cache_dir / name))

    async def local_file(self, record: ModelRecord) -> Path:
        """The record's model as a file on this host: where it was trained, else written out of the model store."""
        model = await asyncio.to_thread(self._locate, record.file_name)
        if await asyncio.to_thread(model.exists):
            return model
        return await write_out(self.sessions, record.inputs_hash, self.cache_dir)

    async def _ensure_stored(self, record: ModelRecord) -> None:
        """Replicas can pull only what the store holds: put a record's file there if it is not yet."""
        if await stored(self.sessions, record.inputs_hash) is not None:
            return
        model = await asyncio.to_thread(self._locate, record.file_name)
        if not await asyncio.to_thread(model.exists):
            raise NotFound(f"no usable model {record.id}: {Path(record.file_name).name} is neither stored nor here")
        await store_model(self.sessions, model)

    # Retrain --------------------------------------------------------------------------------

    def start_retrain(self, actor: str) -> TrainingState:
        if self._task is not None and not self._task.done():
            return self.training
        self.training = TrainingState("running", "starting", utcnow())
        self._task = asyncio.create_task(self._retrain(actor))
        return self.training

    async def wait(self) -> None:
        if self._task is not None:
            await self._task

    def _progress(self, message: str) -> None:
        self.training.progress = message
        self.training.log.append(message)

    async def _retrain(self, actor: str) -> None:
        try:
            models_dir = self.settings.models_dir
            lessons_file = await export_for_training(self.sessions, self.settings.store.var_dir)
            # The gateway may have started before Rasa had loaded its model: record it now, so the gate compares.
            current = await self.active() or await self.register_running()
            expected = await asyncio.to_thread(model_path, models_dir, lessons_file)
            if current is not None and Path(current.file_name).name == expected.name:
                self._progress(
                    "bot/ and the NLU lessons have not changed since the running model was trained: nothing to do"
                )
                self.training.state = "idle"
                return
            lessons = await approved_lessons(self.sessions)
            if lessons:
                self._progress(f"asking the running model how it reads {len(lessons)} taught question(s)")
            before = await read_all(self.rasa, lessons)
            model = await asyncio.to_thread(ensure_model, models_dir, self._progress, lessons_file)
            baseline = numbers(current.figures) if current else None
            if current is not None and not baseline:
                self._progress(f"evaluating the running model {current.file_name}")
                baseline = await asyncio.to_thread(evaluate, await self.local_file(current))
                async with unit_of_work(self.sessions) as session:
                    stored = await session.get(ModelRecord, current.id)
                    if stored is not None:
                        stored.figures = {**(stored.figures or {}), **baseline}
            if current is not None and Path(current.file_name).name == model.name:
                self._progress(
                    "bot/ and the NLU lessons have not changed since the running model was trained: nothing to do"
                )
                self.training.state = "idle"
                return
            self._progress(f"evaluating the new model {model.name}")
            figures = await asyncio.to_thread(evaluate, model)
            taught = None
            if lessons:
                self._progress(f"asking the new model how it reads the {len(lessons)} taught question(s)")
                taught = TaughtScore(
                    right_before=sum(before.get(lesson.id) == lesson.intent for lesson in lessons),
                    right_after=await asyncio.to_thread(taught_read_right, model, lessons),
                    total=len(lessons),
                )
            record = await self.consider(model, figures, baseline, actor, taught)
            if record.status == "active" and self.replicated:
                # Marked active, the replicas pull it within their pull interval: wait, so that the taught-question
                # report below asks the new model, not the one it replaced.
                self._progress("waiting for the Rasa replicas to pull the new model")
                await self._wait_until_rasa_runs(model.name)
            verdict = ("activated: " if record.status == "active" else "rejected: ") + (record.note or "")
            if lessons:
                record = await self._report_taught(
                    record.id, taught_report(lessons, before, await read_all(self.rasa, lessons))
                )
                verdict += f"; {summary(record.figures[REPORT_KEY])}"
            self._progress(verdict)
            self.training.state = "idle"
        except Exception as error:  # the console shows it; the log has the traceback
            logger.exception("retrain failed")
            self._progress(f"failed: {error}")
            self.training.state = "failed"

    async def _report_taught(self, record_id: int, rows: list[Any]) -> ModelRecord:
        async with unit_of_work(self.sessions) as session:
            record = await ModelRecordRepository(session).get(record_id)
            assert record is not None
            record.figures = {**(record.figures or {}), REPORT_KEY: rows}  # a new dict: JSON columns track assignment
            record.note = f"{record.note or ''}; {summary(rows)}".lstrip("; ")
            await AuditRepository(session).record(
                record.actor, "model.taught_report", "model", record.id, {REPORT_KEY: rows}
            )
            return record

    async def consider(
        self,
        model: Path,
        figures: dict[str, float],
        baseline: dict[str, float] | None,
        actor: str,
        taught: TaughtScore | None = None,
    ) -> ModelRecord:
        """The gate: activate the model when it is not worse than the running one, else record the rejection."""
        accepted, why = passes_gate(figures, baseline, self.tolerance, taught)
        return await self._record(model, figures, baseline, actor, accepted, why)

    async def _record(
        self,
        model: Path,
        figures: dict[str, float],
        baseline: dict[str, float] | None,
        actor: str,
        accepted: bool,
        why: str,
    ) -> ModelRecord:
        await store_model(self.sessions, model)  # every model the product trains, kept or not, for every host
        if accepted and not self.replicated:
            await self._load_into_rasa(model)
        async with unit_of_work(self.sessions) as session:
            records = ModelRecordRepository(session)
            if accepted:
                await records.retire_active()
            record = ModelRecord(
                file_name=os.path.abspath(model),  # noqa: ASYNC240 (string work, no disk access)
                inputs_hash=inputs_hash_of(model),
                status="active" if accepted else "rejected",
                figures=figures,
                baseline=baseline,
                actor=actor,
                note=why,
                activated_at=utcnow() if accepted else None,
            )
            await records.add(record)
            await AuditRepository(session).record(
                actor,
                "model.activated" if accepted else "model.rejected",
                "model",
                record.id,
                {"file": model.name, "figures": figures, "baseline": baseline, "why": why},
            )
            return record

    async def activate(self, record_id: int, actor: str) -> ModelRecord:
        """Roll back (or forward) to a recorded model."""
        async with unit_of_work(self.sessions) as session:
            record = await ModelRecordRepository(session).get(record_id)
        if record is None:
            raise NotFound(f"no usable model {record_id}")
        if self.replicated:
            await self._ensure_stored(record)  # the replicas pull it from the store once it is marked active
        else:
            try:
                model = await self.local_file(record)
            except NotFound:
                raise NotFound(f"no usable model {record_id}: its file is neither here nor in the store") from None
            await self._load_into_rasa(model)
        async with unit_of_work(self.sessions) as session:
            records = ModelRecordRepository(session)
            await records.retire_active()
            record = await records.get(record_id)
            assert record is not None
            record.status, record.activated_at = "active", utcnow()
            await AuditRepository(session).record(
                actor, "model.rolled_back", "model", record_id, {"file": record.file_name}
            )
        return record

    async def _load_into_rasa(self, model: Path) -> None:
        """Rasa's model API swaps the model in place; trackers stay in the tracker store."""
        async with self.http.put(
            f"{self.settings.rasa_url}/model",
            params={"token": self.settings.rasa_token},
            json={"model_file": str(model)},
            timeout=aiohttp.ClientTimeout(total=300),
        ) as response:
            if response.status != 204:
                raise RuntimeError(
                    f"Rasa refused the model {model.name}: HTTP {response.status} {await response.text()}"
                )

    async def _wait_until_rasa_runs(self, file_name: str) -> None:
        """Poll Rasa's /status until it reports ``file_name``, or give up after ``pull_timeout_s`` (and say so)."""
        deadline = asyncio.get_running_loop().time() + self.pull_timeout_s
        while True:
            running = await self._running_model_file()
            if running is not None and Path(running).name == file_name:
                return
            if asyncio.get_running_loop().time() > deadline:
                logger.warning(
                    "Rasa at %s does not run %s yet; it will at its next pull", self.settings.rasa_url, file_name
                )
                return
            await asyncio.sleep(1.0)
