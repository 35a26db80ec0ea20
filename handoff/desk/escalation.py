"""The escalation policy: whether a conversation goes to a person, how urgent it is, and when we are open.

Loaded from handoff/desk/escalation.yml. The bot only reports what happened
(signals in its replies: asked_for_agent, complaint, bot_failed, late_order);
this module decides, so the rules live in one place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from crm_store.models import User
from handoff.desk.follow_up_policy import FollowUpPolicyError, FollowUpRule, parse_follow_ups
from handoff.desk.segment_rules import (
    SegmentRule,
    may_take,
    parse_segment_rules,
    reserving_segment,
    segment_priority,
    segment_sla_minutes,
    segments_closed_to,
)
from handoff.errors import ConfigurationError

POLICY_FILE = Path(__file__).resolve().parent / "escalation.yml"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REASONS = ("asked_for_agent", "complaint", "bot_failed", "late_order", "vip", "other")


class PolicyError(ConfigurationError):
    code = "escalation_policy_invalid"


@dataclass(frozen=True)
class EscalationPolicy:
    asked_for_agent: bool = True
    complaint: bool = True
    failed_turns: int = 2
    vip_failed_turns: int = 1
    late_order: bool = True
    vip_tiers: tuple[str, ...] = ("vip",)
    priorities: dict[str, int] = field(default_factory=dict)
    per_waiting_minute: int = 1
    sla_minutes: dict[str, int] = field(default_factory=lambda: {"default": 15})
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    opening_hours: dict[int, tuple[time, time]] = field(default_factory=dict)  # weekday -> (open, close)
    minutes_per_customer: float = 4
    segment_rules: dict[str, SegmentRule] = field(default_factory=dict)  # the customer's segments raise these
    follow_ups: dict[str, FollowUpRule] = field(default_factory=dict)  # by ticket reason

    # Decisions -----------------------------------------------------------------

    def should_escalate(self, signal: str, *, tier: str | None, consecutive_failures: int) -> str | None:
        """The ticket reason if this signal sends the conversation to a person, else None."""
        if signal == "asked_for_agent" and self.asked_for_agent:
            return "asked_for_agent"
        if signal == "complaint" and self.complaint:
            return "complaint"
        if signal == "late_order" and self.late_order:
            return "late_order"
        if signal == "bot_failed":
            limit = self.vip_failed_turns if tier in self.vip_tiers else self.failed_turns
            if limit and consecutive_failures >= limit:
                return "bot_failed"
        return None

    def priority(self, reason: str, tier: str | None, segments: tuple[str, ...] = ()) -> int:
        base = self.priorities.get(reason, 0)
        base = max(base, self.priorities.get("vip", 0)) if tier in self.vip_tiers else base
        return max(base, segment_priority(self.segment_rules, segments) or 0)

    def reserved_for(self, segments: tuple[str, ...]) -> str | None:
        """The segment whose agents alone may take this customer's ticket, if any."""
        return reserving_segment(self.segment_rules, segments)

    def may_take(self, reserved_for: str | None, user: User) -> bool:
        return user.role == "admin" or may_take(self.segment_rules, reserved_for, user.username)

    def closed_segments(self, user: User) -> list[str]:
        """Segments whose waiting tickets ``user`` may neither see in the queue nor take."""
        return [] if user.role == "admin" else segments_closed_to(self.segment_rules, user.username)

    def sla_due(self, reason: str, tier: str | None, created: datetime, segments: tuple[str, ...] = ()) -> datetime:
        minutes = self.sla_minutes.get("vip") if tier in self.vip_tiers else None
        minutes = minutes or self.sla_minutes.get(reason) or self.sla_minutes.get("default", 15)
        minutes = min(minutes, segment_sla_minutes(self.segment_rules, segments) or minutes)
        return created + timedelta(minutes=minutes)

    def expected_wait_minutes(self, position: int, agents_online: int) -> int:
        return max(1, math.ceil(position * self.minutes_per_customer / max(agents_online, 1)))

    # Business hours --------------------------------------------------------------

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.timezone)
        hours = self.opening_hours.get(local.weekday())
        return hours is not None and hours[0] <= local.time() < hours[1]

    def in_opening_hours(self, moment: datetime) -> datetime:
        """``moment`` if the team is open then, else the next opening (a follow-up's "no" finds people there);
        ``moment`` as it is when the policy names no business hours."""
        if not self.opening_hours or self.is_open(moment):
            return moment
        return self.next_opening(moment)

    def next_opening(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.timezone)
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            hours = self.opening_hours.get(day.weekday())
            if hours is None:
                continue
            opening = datetime.combine(day, hours[0], tzinfo=self.timezone)
            if opening > local:
                return opening
        raise PolicyError("business_hours has no opening days")


def _mapping(value: Any, where: str, name: str) -> dict[str, Any]:
    """A section that must be a mapping (an empty one when left out or left blank)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PolicyError(f"{name}: {where} must be a mapping of names to values, got {value!r}")
    return value


def _int(raw: dict[str, Any], key: str, where: str, default: int, name: str) -> int:
    value = raw.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise PolicyError(f"{name}: {where}{key} must be a whole number >= 0, got {value!r}")
    return value


def _flag(raw: dict[str, Any], key: str, name: str) -> bool:
    value = raw.get(key, True)
    if not isinstance(value, bool):
        raise PolicyError(f"{name}: triggers.{key} must be true or false, got {value!r}")
    return value


def _hours(text: Any, where: str, name: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in str(text).split("-"))
    except ValueError:
        raise PolicyError(f"{name}: {where} must look like 08:00-20:00, got {text!r}") from None
    if start >= end:
        raise PolicyError(f"{name}: {where} closes before it opens")
    return start, end


def _zone(value: Any, name: str) -> ZoneInfo:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyError(f"{name}: business_hours.timezone {value!r} is not a time zone") from None


def _tiers(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ("vip",)
    if not isinstance(value, list) or not all(isinstance(tier, str) and tier for tier in value):
        raise PolicyError(f"{name}: vip_tiers must be a list of tier names, got {value!r}")
    return tuple(value) or ("vip",)


def _minutes(value: Any, name: str) -> float:
    # NaN and infinity would only fail later, when a customer asks how long the wait is.
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 24 * 60:
        raise PolicyError(f"{name}: minutes_per_customer must be a number of minutes above 0, got {value!r}")
    return float(value)


def _follow_ups(value: Any, name: str) -> dict[str, FollowUpRule]:
    try:
        return parse_follow_ups(value, REASONS, name)
    except FollowUpPolicyError as error:
        raise PolicyError(str(error)) from None


def load_policy(path: Path = POLICY_FILE) -> EscalationPolicy:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"cannot read {path}: {error}") from None
    return parse_policy(text, path.name)


def parse_policy(text: str, name: str = POLICY_FILE.name) -> EscalationPolicy:
    """The policy in ``text``; anything else than a valid policy is a PolicyError naming the field."""
    try:
        raw = _mapping(yaml.safe_load(text), "the file", name)
    except (yaml.YAMLError, RecursionError) as error:
        raise PolicyError(f"{name} is not valid YAML: {error}") from None
    triggers = _mapping(raw.get("triggers"), "triggers", name)
    priorities_raw = _mapping(raw.get("priorities"), "priorities", name)
    sla_raw = _mapping(raw.get("sla_minutes"), "sla_minutes", name)
    priorities = {str(key): _int(priorities_raw, key, "priorities.", 0, name) for key in priorities_raw}
    sla = {str(key): _int(sla_raw, key, "sla_minutes.", 15, name) for key in sla_raw}
    hours_raw = _mapping(raw.get("business_hours"), "business_hours", name)
    opening: dict[int, tuple[time, time]] = {}
    for day, hours in _mapping(hours_raw.get("days"), "business_hours.days", name).items():
        if day not in DAYS:
            raise PolicyError(f"{name}: business_hours.days.{day} is not one of {', '.join(DAYS)}")
        opening[DAYS.index(day)] = _hours(hours, f"business_hours.days.{day}", name)
    return EscalationPolicy(
        asked_for_agent=_flag(triggers, "asked_for_agent", name),
        complaint=_flag(triggers, "complaint", name),
        failed_turns=_int(triggers, "failed_turns", "triggers.", 2, name),
        vip_failed_turns=_int(triggers, "vip_failed_turns", "triggers.", 1, name),
        late_order=_flag(triggers, "late_order", name),
        vip_tiers=_tiers(raw.get("vip_tiers"), name),
        priorities=priorities,
        per_waiting_minute=priorities.pop("per_waiting_minute", 1),
        sla_minutes=sla or {"default": 15},
        timezone=_zone(hours_raw.get("timezone", "UTC"), name),
        opening_hours=opening,
        minutes_per_customer=_minutes(raw.get("minutes_per_customer", 4), name),
        segment_rules=parse_segment_rules(raw.get("segments"), name, PolicyError),
        follow_ups=_follow_ups(raw.get("follow_ups"), name),
    )
