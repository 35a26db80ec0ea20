"""What a report asks for and what its figures are: the filter, and the shapes the KPIs come back in.

Kept apart from the queries (``crm_store.repositories.reports``) so a view can build a filter and
read figures without knowing any SQL. Durations are seconds (floats); the page formats them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from crm_store.models.customer import CHANNELS, CUSTOMER_TIERS

# A visitor we do not know has no tier; the tier filter can still pick them out.
ANONYMOUS = "anonymous"
TIER_CHOICES = (*CUSTOMER_TIERS, ANONYMOUS)
CHANNEL_CHOICES = CHANNELS
# A conversation with no end recorded is over once nobody wrote for this long.
IDLE_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class ReportFilter:
    """A half-open range [start, end) of aware instants, an optional channel and customer tier.

    ``zone`` is where the hour-of-day and weekday of the volume heat map are read (the shop's
    time zone); it does not move the range, which ``for_days`` builds from local dates.
    """

    start: datetime
    end: datetime
    channel: str | None = None
    tier: str | None = None
    zone: tzinfo = timezone.utc

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a report range needs aware datetimes")
        if self.end <= self.start:
            raise ValueError("a report range must end after it starts")
        if self.channel is not None and self.channel not in CHANNEL_CHOICES:
            raise ValueError(f"channel must be one of {', '.join(CHANNEL_CHOICES)}")
        if self.tier is not None and self.tier not in TIER_CHOICES:
            raise ValueError(f"tier must be one of {', '.join(TIER_CHOICES)}")

    @classmethod
    def for_days(
        cls, first: date, last: date, zone: tzinfo, *, channel: str | None = None, tier: str | None = None
    ) -> ReportFilter:
        """From local midnight of ``first`` to local midnight after ``last`` (both days included)."""
        start = datetime.combine(first, time(0), tzinfo=zone)
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
        return cls(start=start, end=end, channel=channel, tier=tier, zone=zone)


@dataclass(frozen=True)
class DurationStats:
    """How long something took over ``count`` cases: median and 90th percentile, in seconds."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, seconds: Sequence[float]) -> DurationStats:
        return cls(len(seconds), median(seconds), percentile(seconds, 90))


def median(values: Sequence[float]) -> float | None:
    """The middle value; for an even count the mean of the two middle ones. None when there are none."""
    return float(statistics.median(values)) if values else None


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest rank: the smallest value with at least p% of the values at or below it (always a real value)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return float(ordered[rank - 1])


@dataclass(frozen=True)
class Outcomes:
    """Each conversation of the range in exactly one of contained / escalated / gave_up / ongoing."""

    conversations: int
    contained: int
    escalated: int
    gave_up: int
    ongoing: int
    left_waiting: int  # of the escalated: left before a person replied

    @property
    def containment_rate(self) -> float | None:
        """Contained out of the conversations that are over (ongoing ones have no outcome yet)."""
        over = self.contained + self.escalated + self.gave_up
        return self.contained / over if over else None


@dataclass(frozen=True)
class FirstResponse:
    bot: DurationStats
    human: DurationStats


@dataclass(frozen=True)
class Resolution:
    tickets: int
    resolved: int
    reopened: int  # tickets raised on a conversation a person had already resolved
    time_to_resolution: DurationStats


@dataclass(frozen=True)
class SlaRow:
    reason: str
    tickets: int
    met: int
    breached: int
    pending: int  # no reply yet, not yet due
    without_sla: int
    out_of_hours: int  # escalated while the team was out
    breached_out_of_hours: int


@dataclass(frozen=True)
class CsatGroup:
    """Ratings (1-5) of one kind of conversation."""

    group: str
    distribution: dict[int, int] = field(default_factory=dict)

    @property
    def rated(self) -> int:
        return sum(self.distribution.values())

    @property
    def average(self) -> float | None:
        return sum(score * n for score, n in self.distribution.items()) / self.rated if self.rated else None

    @property
    def satisfied_share(self) -> float | None:
        """Rated 4 or 5, out of all rated: the usual CSAT score."""
        return (self.distribution.get(4, 0) + self.distribution.get(5, 0)) / self.rated if self.rated else None


@dataclass(frozen=True)
class KnowledgeFeedback:
    helpful: int
    not_helpful: int
    unanswered: int  # customer messages the bot could not answer

    @property
    def helpful_share(self) -> float | None:
        rated = self.helpful + self.not_helpful
        return self.helpful / rated if rated else None


@dataclass(frozen=True)
class UnansweredQuestion:
    text: str
    count: int
    last_at: datetime


@dataclass(frozen=True)
class AgentRow:
    agent_id: int
    name: str
    handled: int  # tickets of the range this agent resolved
    first_response: DurationStats  # escalation to the first reply a person sent
    handling: DurationStats  # the agent's claim to the resolution
    csat_rated: int
    csat_average: float | None


@dataclass(frozen=True)
class Volume:
    """Counts by [weekday 0=Monday][hour 0-23], in the filter's zone."""

    conversations: list[list[int]]
    escalations: list[list[int]]


@dataclass(frozen=True)
class FollowUpFigures:
    """Follow-up visits that fell due in the range (or are still to), by what became of them."""

    total: int
    scheduled: int  # not sent yet: its day is still to come (or no gateway ran when it came)
    unanswered: int  # asked, no answer yet
    answered_yes: int
    answered_no: int  # every "no", including those that reopened a ticket
    reopened: int
    cancelled: int
    rated: int
    rating_average: float | None


def empty_week() -> list[list[int]]:
    return [[0] * 24 for _ in range(7)]


__all__ = [
    "ANONYMOUS",
    "CHANNEL_CHOICES",
    "IDLE_AFTER",
    "TIER_CHOICES",
    "AgentRow",
    "CsatGroup",
    "DurationStats",
    "FirstResponse",
    "FollowUpFigures",
    "KnowledgeFeedback",
    "Outcomes",
    "ReportFilter",
    "Resolution",
    "SlaRow",
    "UnansweredQuestion",
    "Volume",
    "empty_week",
    "median",
    "percentile",
]
