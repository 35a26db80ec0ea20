"""Instants the suite runs at, chosen by weekday and local time in the escalation policy's time zone.

They are always the *next* such instant after the real time, so they are in the future whenever CI
runs (cookies and tokens stay valid) while the weekday and hour never depend on when it runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from handoff.desk.escalation import load_policy

WEDNESDAY, SUNDAY = 2, 6


def next_local(weekday: int, hour: int, minute: int = 0, zone: ZoneInfo | None = None) -> datetime:
    """The next ``weekday`` (0 = Monday) at ``hour:minute`` in ``zone`` (default: the policy's), at least a day ahead."""
    zone = zone or load_policy().timezone
    # The real time, on purpose: only to pick a future date; the weekday and hour come from the arguments.
    day = datetime.now(timezone.utc).astimezone(zone).date() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def weekday_morning() -> datetime:
    """Wednesday 10:00 where the agents are: the team is in."""
    return next_local(WEDNESDAY, 10)


def sunday_night() -> datetime:
    """Sunday 23:00 where the agents are: the team is out until Monday morning."""
    return next_local(SUNDAY, 23)
