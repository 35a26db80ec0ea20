"""What a retrain did for the taught questions: how the running bot read each NLU lesson before and after.

"After" is read from Rasa once the gate has decided, so it is what customers get now: when the
new model was rejected, the running model is the old one and a wrong routing stays wrong.
"""

from __future__ import annotations

from typing import Any, TypedDict

from handoff.learning.nlu_lessons import Lesson
from handoff.rasa_client import RasaClient

FIXED, STILL_WRONG, ALREADY_RIGHT, BROKEN, UNKNOWN = "fixed", "still wrong", "already right", "broken", "unknown"
REPORT_KEY = "taught"  # the key of the report in a model record's figures


class TaughtRow(TypedDict):
    id: int
    text: str
    intent: str
    before: str | None
    after: str | None
    verdict: str
    automatic: bool


async def read_all(rasa: RasaClient, lessons: list[Lesson]) -> dict[int, str | None]:
    """The intent the running model gives each lesson's text (None where Rasa could not say)."""
    read: dict[int, str | None] = {}
    for lesson in lessons:  # one at a time: Rasa is busy enough while a model trains beside it
        parsed = await rasa.parse(lesson.text)
        read[lesson.id] = parsed["name"] if parsed else None
    return read


def verdict(intent: str, before: str | None, after: str | None) -> str:
    if after is None:
        return UNKNOWN
    if after == intent:
        return ALREADY_RIGHT if before == intent else FIXED
    return BROKEN if before == intent else STILL_WRONG


def taught_report(
    lessons: list[Lesson], before: dict[int, str | None], after: dict[int, str | None]
) -> list[TaughtRow]:
    return [
        TaughtRow(
            id=lesson.id,
            text=lesson.text,
            intent=lesson.intent,
            before=before.get(lesson.id),
            after=after.get(lesson.id),
            verdict=verdict(lesson.intent, before.get(lesson.id), after.get(lesson.id)),
            automatic=lesson.automatic,
        )
        for lesson in lessons
    ]


def summary(rows: list[TaughtRow]) -> str:
    counts = {name: sum(row["verdict"] == name for row in rows) for name in (FIXED, STILL_WRONG, BROKEN, UNKNOWN)}
    shown = [f"{count} {name}" for name, count in counts.items() if count or name in (FIXED, STILL_WRONG)]
    return f"taught questions: {', '.join(shown)} (of {len(rows)})"


def rows_of(figures: dict[str, Any] | None) -> list[TaughtRow]:
    rows = (figures or {}).get(REPORT_KEY)
    return list(rows) if isinstance(rows, list) else []


__all__ = ["REPORT_KEY", "TaughtRow", "read_all", "rows_of", "summary", "taught_report", "verdict"]
