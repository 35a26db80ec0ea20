"""Rules of ``escalation.yml`` on customer segments (crm_store.segments names them).

    segments:
      at_risk: {priority: 35, sla_minutes: 10}
      complaining: {priority: 45}

A ticket for a customer in a listed segment gets at least that priority, and at most that many
minutes to a first reply; of several segments, the highest priority and the shortest SLA win.
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
        if not isinstance(rule, dict) or not rule or set(rule) - {"priority", "sla_minutes"}:
            raise error(f"{where} must set priority and/or sla_minutes, got {rule!r}")
        rules[segment] = SegmentRule(
            priority=_whole(rule["priority"], f"{where}.priority", error, least=0) if "priority" in rule else None,
            sla_minutes=_whole(rule["sla_minutes"], f"{where}.sla_minutes", error, least=1)
            if "sla_minutes" in rule
            else None,
        )
    return rules


def segment_priority(rules: Mapping[str, SegmentRule], segments: Iterable[str]) -> int | None:
    found = [rules[s].priority for s in segments if s in rules and rules[s].priority is not None]
    return max(found) if found else None  # type: ignore[type-var]


def segment_sla_minutes(rules: Mapping[str, SegmentRule], segments: Iterable[str]) -> int | None:
    found = [rules[s].sla_minutes for s in segments if s in rules and rules[s].sla_minutes is not None]
    return min(found) if found else None  # type: ignore[type-var]


__all__ = ["SegmentRule", "parse_segment_rules", "segment_priority", "segment_sla_minutes"]
