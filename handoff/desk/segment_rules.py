"""Rules of ``escalation.yml`` on customer segments (crm_store.segments names them).

    segments:
      at_risk: {priority: 35, sla_minutes: 10}
      champion: {priority: 40, agents: [maria, li]}

A ticket for a customer in a listed segment gets at least that priority, and at most that many
minutes to a first reply; of several segments, the highest priority and the shortest SLA win.
``agents`` keeps the segment's tickets for those agents (by username): others neither see them in the
queue nor can take them, and admins always can. Of several segments with agents, the first one listed
in the file decides; the ticket remembers that segment (``tickets.reserved_for``), and the names are
read from the file when someone claims, so editing the list applies to tickets already waiting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from crm_store.segments import SEGMENT_NAMES
from handoff.errors import ConfigurationError

# The policy's own error class is passed in (escalation.py imports this module, not the other way round).
ErrorClass = type[ConfigurationError]


@dataclass(frozen=True)
class SegmentRule:
    priority: int | None = None
    sla_minutes: int | None = None
    agents: frozenset[str] | None = None  # only these usernames (and admins) may take the ticket


def _whole(value: Any, where: str, error: ErrorClass, *, least: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise error(f"{where} must be a whole number >= {least}, got {value!r}")
    return value


def parse_segment_rules(raw: Any, name: str, error: ErrorClass) -> dict[str, SegmentRule]:
    """The ``segments:`` section of ``name``; anything else raises ``error`` naming the field."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise error(f"{name}: segments must be a mapping of segment names to rules, got {raw!r}")
    rules = {}
    for segment, rule in raw.items():
        where = f"{name}: segments.{segment}"
        if segment not in SEGMENT_NAMES:
            raise error(f"{where} is not a segment; known: {', '.join(SEGMENT_NAMES)}")
        if not isinstance(rule, dict) or not rule or set(rule) - {"priority", "sla_minutes", "agents"}:
            raise error(f"{where} must set priority, sla_minutes and/or agents, got {rule!r}")
        rules[segment] = SegmentRule(
            priority=_whole(rule["priority"], f"{where}.priority", error, least=0) if "priority" in rule else None,
            sla_minutes=_whole(rule["sla_minutes"], f"{where}.sla_minutes", error, least=1)
            if "sla_minutes" in rule
            else None,
            agents=_usernames(rule["agents"], f"{where}.agents", error) if "agents" in rule else None,
        )
    return rules


def _usernames(value: Any, where: str, error: ErrorClass) -> frozenset[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise error(f"{where} must be a list of agents' usernames, got {value!r}")
    return frozenset(v.strip().casefold() for v in value)


def reserving_segment(rules: Mapping[str, SegmentRule], segments: Iterable[str]) -> str | None:
    """The segment whose agents alone may take a ticket for a customer in ``segments``: the first listed."""
    held = set(segments)
    return next((name for name, rule in rules.items() if rule.agents and name in held), None)


def may_take(rules: Mapping[str, SegmentRule], reserved_for: str | None, username: str) -> bool:
    """Whether an agent may take a ticket kept for ``reserved_for`` (a segment no longer listed keeps nothing)."""
    rule = rules.get(reserved_for or "")
    return rule is None or rule.agents is None or username.casefold() in rule.agents


def segments_closed_to(rules: Mapping[str, SegmentRule], username: str) -> list[str]:
    """The segments whose tickets are kept for other agents than this one."""
    return [name for name, rule in rules.items() if rule.agents and username.casefold() not in rule.agents]


def segment_priority(rules: Mapping[str, SegmentRule], segments: Iterable[str]) -> int | None:
    found = [rules[s].priority for s in segments if s in rules and rules[s].priority is not None]
    return max(found) if found else None  # type: ignore[type-var]


def segment_sla_minutes(rules: Mapping[str, SegmentRule], segments: Iterable[str]) -> int | None:
    found = [rules[s].sla_minutes for s in segments if s in rules and rules[s].sla_minutes is not None]
    return min(found) if found else None  # type: ignore[type-var]


__all__ = [
    "SegmentRule",
    "may_take",
    "parse_segment_rules",
    "reserving_segment",
    "segment_priority",
    "segment_sla_minutes",
    "segments_closed_to",
]
