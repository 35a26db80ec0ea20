"""What a reports request asks for: the query string read into a ``ReportFilter``, or a 400 naming the field.

    ?from=2026-11-02&to=2026-11-08&channel=telegram&tier=vip

``from`` and ``to`` are days in the shop's time zone (escalation.yml's business hours), both included;
left out, the report covers the last ``DEFAULT_DAYS`` days up to today. An empty channel or tier is "all".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo

from crm_store.repositories.report_figures import CHANNEL_CHOICES, TIER_CHOICES, ReportFilter
from handoff.errors import InvalidMessage

DEFAULT_DAYS = 30
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)  # far from date.min/max, where a day more overflows
LONGEST_DAYS = 366  # a year and a day: enough for any comparison a lead makes, bounded for the database


def _day(params: Mapping[str, str], name: str, default: date) -> date:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidMessage(f"{name} must be a date like 2026-11-02, got {raw[:40]!r}") from None
    if not EARLIEST <= day <= LATEST:
        raise InvalidMessage(f"{name} must be a date between {EARLIEST} and {LATEST}, got {raw!r}")
    return day


def _choice(params: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if raw not in choices:
        raise InvalidMessage(f"{name} must be one of {', '.join(choices)} (or empty for all), got {raw[:40]!r}")
    return raw


def read_filter(params: Mapping[str, str], zone: tzinfo, now: datetime) -> ReportFilter:
    today = now.astimezone(zone).date()
    last = _day(params, "to", today)
    first = _day(params, "from", last - timedelta(days=DEFAULT_DAYS - 1))
    if last < first:
        raise InvalidMessage(f"to ({last}) must not be before from ({first})")
    if (last - first).days + 1 > LONGEST_DAYS:
        raise InvalidMessage(f"from and to may span at most {LONGEST_DAYS} days")
    return ReportFilter.for_days(
        first,
        last,
        zone,
        channel=_choice(params, "channel", CHANNEL_CHOICES),
        tier=_choice(params, "tier", TIER_CHOICES),
    )


__all__ = ["DEFAULT_DAYS", "LONGEST_DAYS", "read_filter"]
