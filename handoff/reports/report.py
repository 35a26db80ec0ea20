"""One report: every KPI of a range read from ``crm_store.repositories.reports``, laid out for the page.

The figures are computed there; this module only arranges them: the headline numbers, the series each
chart draws, and the tables. A table is the single source of both what the page shows and its CSV, so
the two cannot disagree; its cells are already rounded (``cell``) for that reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import sessionmaker

from crm_store.db import unit_of_work
from crm_store.repositories import reports
from crm_store.repositories.report_figures import DurationStats, ReportFilter, UnansweredQuestion
from crm_store.repositories.segments import segment_report

Cell = int | float | str
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
OUTCOMES = ("contained", "escalated", "gave_up", "ongoing")
TRAINER_UNANSWERED = "/trainer/#unanswered"


@dataclass(frozen=True)
class Table:
    name: str  # also the CSV's name: ?table=<name>
    title: str
    columns: tuple[str, ...]
    rows: list[list[Cell]]

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "columns": list(self.columns), "rows": self.rows}


def cell(value: float | int | str | None) -> Cell:
    """Whole numbers as integers, others to one decimal, nothing as an empty cell: the same text in HTML and CSV."""
    if value is None:
        return ""
    if isinstance(value, float):
        rounded = round(value, 1)
        return int(rounded) if rounded.is_integer() else rounded
    return value


def percent(share: float | None) -> Cell:
    return cell(share * 100 if share is not None else None)


def _durations(label: str, stats: DurationStats) -> list[Cell]:
    return [label, stats.count, cell(stats.median), cell(stats.p90)]


def _scrubbed(questions: list[UnansweredQuestion], scrub: Callable[[str], str]) -> list[tuple[str, int, datetime]]:
    """Personal data out of the questions (a report is read more widely than a transcript), then tallied again."""
    counts: Counter[str] = Counter()
    last: dict[str, datetime] = {}
    for question in questions:
        text = scrub(question.text)
        counts[text] += question.count
        last[text] = max(last.get(text, question.last_at), question.last_at)
    return sorted(((t, n, last[t]) for t, n in counts.items()), key=lambda row: (-row[1], -row[2].timestamp()))


Grouper = Callable[[list[str]], Awaitable[list[list[int]]]]  # texts -> groups of indices, same meaning together
UNANSWERED_SHOWN = 10
UNANSWERED_GROUPED = 200  # distinct wordings looked at when grouping by meaning


def _grouped(
    tallied: list[tuple[str, int, datetime]], groups: list[list[int]]
) -> list[tuple[str, int, datetime, list[str]]]:
    """One row per group of questions that mean the same: its most asked wording, the group's count, its last
    time, and the other wordings."""
    rows = []
    for members in groups:
        ordered = sorted(members, key=lambda i: (-tallied[i][1], -tallied[i][2].timestamp()))
        texts = [tallied[i][0] for i in ordered]
        rows.append((texts[0], sum(tallied[i][1] for i in members), max(tallied[i][2] for i in members), texts[1:]))
    return sorted(rows, key=lambda row: (-row[1], -row[2].timestamp()))


async def build_report(
    sessions: sessionmaker,
    report: ReportFilter,
    now: datetime,
    is_open: reports.IsOpen,
    scrub: Callable[[str], str],
    group_questions: Grouper | None = None,
) -> dict[str, Any]:
    """``group_questions``: how unanswered questions are grouped by meaning (the learning loop's embedding); by wording
    alone without it."""
    async with unit_of_work(sessions) as session:
        outcomes = await reports.conversation_outcomes(session, report, now)
        reasons = await reports.escalation_reasons(session, report)
        first = await reports.first_response(session, report)
        resolution = await reports.resolution(session, report)
        sla = await reports.sla(session, report, now, is_open)
        csat = await reports.csat(session, report)
        feedback = await reports.knowledge_feedback(session, report)
        tallied = _scrubbed(await reports.top_unanswered(session, report, limit=UNANSWERED_GROUPED), scrub)
        volume = await reports.volume(session, report)
        agents = await reports.agents(session, report)
        segments = await segment_report(session, report)
        follow_ups = await reports.follow_up_visits(session, report)

    texts = [text for text, _, _ in tallied]
    groups = await group_questions(texts) if group_questions and texts else [[i] for i in range(len(texts))]
    unanswered = _grouped(tallied, groups)[:UNANSWERED_SHOWN]
    met = sum(row.met for row in sla)
    answered_or_due = met + sum(row.breached for row in sla)
    rated = {group.group: group for group in csat}
    all_ratings = Counter[int]()
    for group in csat:
        all_ratings.update(group.distribution)
    rated_total = sum(all_ratings.values())
    tables = [
        Table(
            "outcomes",
            "Conversations by outcome",
            ("outcome", "conversations"),
            [[name.replace("_", " "), getattr(outcomes, name)] for name in OUTCOMES]
            + [["left waiting (of escalated)", outcomes.left_waiting], ["all", outcomes.conversations]],
        ),
        Table(
            "escalation_reasons",
            "Escalations by reason",
            ("reason", "conversations"),
            [[reason.replace("_", " "), n] for reason, n in reasons.items()],
        ),
        Table(
            "response_times",
            "Response and resolution times (seconds)",
            ("measure", "count", "median (s)", "p90 (s)"),
            [
                _durations("bot first response", first.bot),
                _durations("human first response", first.human),
                _durations("time to resolution", resolution.time_to_resolution),
            ],
        ),
        Table(
            "sla",
            "First-reply SLA by escalation reason",
            ("reason", "tickets", "met", "breached", "pending", "no SLA", "out of hours", "breached out of hours"),
            [
                [
                    row.reason.replace("_", " "),
                    row.tickets,
                    row.met,
                    row.breached,
                    row.pending,
                    row.without_sla,
                    row.out_of_hours,
                    row.breached_out_of_hours,
                ]
                for row in sla
            ],
        ),
        Table(
            "csat",
            "Customer satisfaction (1-5)",
            ("conversations", "rated", "1", "2", "3", "4", "5", "average", "satisfied (4-5) %"),
            [
                [
                    group.group.replace("_", " "),
                    group.rated,
                    *group.distribution.values(),
                    cell(group.average),
                    percent(group.satisfied_share),
                ]
                for group in csat
            ],
        ),
        Table(
            "unanswered",
            "Top unanswered questions (grouped by meaning)",
            ("question", "times asked", "last asked", "also asked as"),
            [
                [text, n, last.astimezone(report.zone).strftime("%Y-%m-%d %H:%M"), " · ".join(also[:3])]
                for text, n, last, also in unanswered
            ],
        ),
        Table(
            "agents",
            "Agents",
            (
                "agent",
                "tickets handled",
                "median first response (s)",
                "median handling time (s)",
                "rated",
                "CSAT average",
            ),
            [
                [
                    row.name,
                    row.handled,
                    cell(row.first_response.median),
                    cell(row.handling.median),
                    row.csat_rated,
                    cell(row.csat_average),
                ]
                for row in agents
            ],
        ),
        Table(
            "segments",
            "Customer segments (members now; their conversations and tickets in the range)",
            ("segment", "customers", "conversations", "tickets"),
            [[row.segment.replace("_", " "), row.customers, row.conversations, row.tickets] for row in segments],
        ),
        Table(
            "volume",
            "Conversations started by weekday and hour",
            ("weekday", *(f"{hour:02d}" for hour in range(24))),
            [[WEEKDAYS[day], *hours] for day, hours in enumerate(volume.conversations)],
        ),
        Table(
            "follow_ups",
            "Follow-up visits after resolved tickets",
            (
                "follow-ups",
                "not sent yet",
                "asked, no answer",
                "yes",
                "no",
                "reopened",
                "cancelled",
                "rated",
                "rating average",
            ),
            [
                [
                    follow_ups.total,
                    follow_ups.scheduled,
                    follow_ups.unanswered,
                    follow_ups.answered_yes,
                    follow_ups.answered_no,
                    follow_ups.reopened,
                    follow_ups.cancelled,
                    follow_ups.rated,
                    cell(follow_ups.rating_average),
                ]
            ],
        ),
    ]
    return {
        "range": {
            "from": report.start.astimezone(report.zone).date().isoformat(),
            "to": (report.end.astimezone(report.zone) - timedelta(days=1)).date().isoformat(),
            "zone": str(report.zone),
            "channel": report.channel or "",
            "tier": report.tier or "",
        },
        "headline": {
            "conversations": outcomes.conversations,
            "containment_percent": percent(outcomes.containment_rate),
            "bot_first_response_median_s": cell(first.bot.median),
            "human_first_response_median_s": cell(first.human.median),
            "human_first_response_p90_s": cell(first.human.p90),
            "resolution_median_s": cell(resolution.time_to_resolution.median),
            "tickets": resolution.tickets,
            "resolved": resolution.resolved,
            "reopened": resolution.reopened,
            "sla_met_percent": percent(met / answered_or_due if answered_or_due else None),
            "csat_average": cell(
                sum(score * n for score, n in all_ratings.items()) / rated_total if rated_total else None
            ),
            "csat_rated": rated_total,
            "helpful": feedback.helpful,
            "not_helpful": feedback.not_helpful,
            "helpful_percent": percent(feedback.helpful_share),
            "unanswered": feedback.unanswered,
        },
        "charts": {
            "outcomes": {name: getattr(outcomes, name) for name in OUTCOMES},
            "reasons": reasons,
            "sla": {row.reason: {"met": row.met, "breached": row.breached, "pending": row.pending} for row in sla},
            "csat": {name: list(group.distribution.values()) for name, group in rated.items()},
            "helpful": {"helpful": feedback.helpful, "not_helpful": feedback.not_helpful},
            "volume": {"conversations": volume.conversations, "escalations": volume.escalations},
            "agents": {row.name: row.handled for row in agents},
        },
        "links": {"unanswered": TRAINER_UNANSWERED},
        "tables": [table.as_json() for table in tables],
    }


__all__ = ["TRAINER_UNANSWERED", "Table", "build_report", "cell"]
