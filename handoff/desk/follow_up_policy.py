"""The ``follow_ups`` section of escalation.yml: which resolved tickets get a follow-up visit, when, and what it asks.

    follow_ups:
      complaint:
        after_days: 3
        text: "Did the replacement arrive? Is everything sorted?"
        text_zh: "您收到换货了吗？问题都解决了吗？"     # optional: for customers who write Chinese

Keyed by ticket reason, like ``priorities`` and ``sla_minutes``. A bad entry stops start-up with the
field named, as every other field of the policy does (escalation.py turns the error into its PolicyError;
this module cannot import it without an import cycle).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

DEFAULT_TEXT = "We resolved your request a few days ago. Is everything sorted now?"
MAX_TEXT = 500
MAX_DAYS = 365


class FollowUpPolicyError(ValueError):
    """A bad ``follow_ups`` entry; handoff.desk.escalation raises it as its PolicyError, the field named."""


@dataclass(frozen=True)
class FollowUpRule:
    after: timedelta
    text: str
    text_zh: str | None = None

    def text_in(self, language: str) -> str:
        """The question in the customer's language when the policy has it; English otherwise."""
        return self.text_zh if language == "zh" and self.text_zh else self.text


def parse_follow_ups(value: Any, reasons: tuple[str, ...], name: str) -> dict[str, FollowUpRule]:
    """The rules by ticket reason; ``value`` is the section as YAML gave it (None when left out)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FollowUpPolicyError(f"{name}: follow_ups must be a mapping of ticket reasons to rules, got {value!r}")
    return {str(reason): _rule(rule, str(reason), reasons, name) for reason, rule in value.items()}


def _rule(raw: Any, reason: str, reasons: tuple[str, ...], name: str) -> FollowUpRule:
    where = f"{name}: follow_ups.{reason}"
    if reason not in reasons:
        raise FollowUpPolicyError(f"{where} is not a ticket reason; use one of {', '.join(reasons)}")
    if not isinstance(raw, dict):
        raise FollowUpPolicyError(f"{where} must be a mapping with after_days (and text), got {raw!r}")
    unknown = set(raw) - {"after_days", "text", "text_zh"}
    if unknown:
        raise FollowUpPolicyError(
            f"{where}.{sorted(unknown)[0]} is not a follow-up setting (after_days, text, text_zh)"
        )
    days = raw.get("after_days")
    # bool is an int to Python; "after_days: yes" is a mistake, not one day.
    if isinstance(days, bool) or not isinstance(days, int | float) or not 0 < days <= MAX_DAYS:
        raise FollowUpPolicyError(
            f"{where}.after_days must be a number of days above 0 and at most {MAX_DAYS}, got {days!r}"
        )
    text = _text(raw.get("text", DEFAULT_TEXT), f"{where}.text")
    text_zh = _text(raw["text_zh"], f"{where}.text_zh") if "text_zh" in raw else None
    return FollowUpRule(after=timedelta(days=days), text=text, text_zh=text_zh)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise FollowUpPolicyError(f"{where} must be a non-empty text of at most {MAX_TEXT} characters, got {value!r}")
    return value.strip()


__all__ = ["FollowUpPolicyError", "FollowUpRule", "parse_follow_ups"]
