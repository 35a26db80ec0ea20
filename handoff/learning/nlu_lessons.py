"""NLU lessons: approved ``nlu_example`` candidates, exported as Rasa NLU YAML when a model is trained.

The database is their only store, so approving one never writes into the checkout; a retrain
exports them to a file under the var directory and trains on bot/data plus that file. A lesson
added by the routing check (handoff.learning.routing) is marked by its review note.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy.orm import sessionmaker

from crm_store.db import unit_of_work
from crm_store.models import TrainingCandidate
from crm_store.models.base import utcnow
from crm_store.repositories import AuditRepository, TrainingCandidateRepository
from crm_store.settings import PROJECT_ROOT
from handoff.errors import InvalidMessage
from handoff.ops.training import DOMAIN

logger = logging.getLogger(__name__)

KIND = "nlu_example"
AUTOMATIC = "added automatically"  # how the review note of a routing check's lesson starts
# Where approved examples were written before they lived in the database; imported once, then moved away.
LEARNED_FILE = PROJECT_ROOT / "bot" / "data" / "nlu" / "learned.yml"
HEADER = "# NLU lessons approved in the trainer console, exported from the database. Teach in the console, not here.\n"
INTENT = re.compile(r"^[a-z_]{1,64}$")


@dataclass(frozen=True)
class Lesson:
    id: int
    intent: str
    text: str
    automatic: bool
    approved_by_id: int | None
    approved_at: datetime | None

    @classmethod
    def of(cls, candidate: TrainingCandidate) -> Lesson:
        return cls(
            id=candidate.id,
            intent=str(candidate.target),
            text=normalise(candidate.question),
            automatic=(candidate.review_note or "").startswith(AUTOMATIC),
            approved_by_id=candidate.reviewed_by_id,
            approved_at=candidate.reviewed_at,
        )


def normalise(text: str) -> str:
    """One line, single spaces: a Rasa example is one line of a YAML block."""
    return " ".join(text.split())


@functools.lru_cache(maxsize=1)
def domain_intents() -> frozenset[str]:
    raw = yaml.safe_load(DOMAIN.read_text(encoding="utf-8")) or {}
    return frozenset(str(next(iter(item))) if isinstance(item, dict) else str(item) for item in raw.get("intents", []))


def checked_intent(intent: str) -> str:
    """A lesson for an intent the domain does not know would fail the next training, not the approval."""
    intent = intent.strip()
    if not INTENT.match(intent) or intent not in domain_intents():
        raise InvalidMessage(f"{intent!r} is not an intent of the bot (see bot/domain.yml)")
    return intent


async def approved_lessons(sessions: sessionmaker) -> list[Lesson]:
    """Every lesson in force: for a text taught more than once, the newest approval wins."""
    async with unit_of_work(sessions) as session:
        candidates = await TrainingCandidateRepository(session).approved(KIND)
    newest: dict[str, Lesson] = {}
    for candidate in candidates:
        lesson = Lesson.of(candidate)
        if lesson.text and lesson.intent:
            newest.pop(lesson.text.lower(), None)
            newest[lesson.text.lower()] = lesson
    return list(newest.values())


def to_rasa_yaml(lessons: list[Lesson]) -> str:
    """Rasa 3 NLU training data, intents in name order and examples in approval order, so the bytes are stable."""
    by_intent: dict[str, list[str]] = {}
    for lesson in lessons:
        by_intent.setdefault(lesson.intent, []).append(lesson.text)
    blocks = []
    for intent in sorted(by_intent):
        lines = "".join(f"      - {text}\n" for text in by_intent[intent])
        blocks.append(f"  - intent: {intent}\n    examples: |\n{lines}")
    return HEADER + 'version: "3.1"\nnlu:\n' + "".join(blocks) if blocks else HEADER + 'version: "3.1"\nnlu: []\n'


def lessons_file(var_dir: Path) -> Path:
    return var_dir / "training" / "nlu-lessons.yml"


async def export_for_training(sessions: sessionmaker, var_dir: Path) -> Path | None:
    """Write the lessons where the next training reads them; None when there are none (the model stays as it was)."""
    await import_learned_file(sessions, var_dir)
    lessons = await approved_lessons(sessions)
    target = lessons_file(var_dir)
    await asyncio.to_thread(_write_or_remove, target, to_rasa_yaml(lessons) if lessons else None)
    return target if lessons else None


def _write_or_remove(target: Path, text: str | None) -> None:
    if text is None:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


async def import_learned_file(sessions: sessionmaker, var_dir: Path, path: Path = LEARNED_FILE) -> int:
    """Move examples approved into bot/data/nlu/learned.yml (before lessons lived here) into the database.

    The file then moves to the var directory, so it is neither trained on twice nor imported again.
    """
    if not await asyncio.to_thread(path.exists):
        return 0
    raw = yaml.safe_load(await asyncio.to_thread(path.read_text, encoding="utf-8")) or {}
    examples = [
        (str(block["intent"]), normalise(line.strip()[2:]))
        for block in raw.get("nlu") or []
        for line in str(block.get("examples", "")).splitlines()
        if line.strip().startswith("- ")
    ]
    known = {(lesson.intent, lesson.text.lower()) for lesson in await approved_lessons(sessions)}
    added = 0
    async with unit_of_work(sessions) as session:
        for intent, text in examples:
            if (intent, text.lower()) in known:
                continue
            known.add((intent, text.lower()))
            session.add(
                TrainingCandidate(
                    kind=KIND,
                    status="approved",
                    question=text,
                    target=intent,
                    review_note=f"imported from {path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path}",
                    reviewed_at=utcnow(),
                )
            )
            added += 1
        await AuditRepository(session).record(
            "deskbot", "learning.nlu_file_imported", "file", path.name, {"added": added}
        )
    moved = var_dir / "training" / "learned.yml.imported"
    await asyncio.to_thread(moved.parent.mkdir, parents=True, exist_ok=True)
    await asyncio.to_thread(path.replace, moved)
    logger.info("imported %d NLU example(s) from %s into the database; the file is now %s", added, path, moved)
    return added


__all__ = [
    "AUTOMATIC",
    "Lesson",
    "approved_lessons",
    "checked_intent",
    "export_for_training",
    "import_learned_file",
    "lessons_file",
    "normalise",
    "to_rasa_yaml",
]
