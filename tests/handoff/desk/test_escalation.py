from datetime import datetime, timezone
from pathlib import Path

import pytest

from handoff.desk.escalation import PolicyError, load_policy

policy = load_policy()


def test_triggers_follow_the_policy_file() -> None:
    assert policy.should_escalate("asked_for_agent", tier=None, consecutive_failures=0) == "asked_for_agent"
    assert policy.should_escalate("complaint", tier="silver", consecutive_failures=0) == "complaint"
    assert policy.should_escalate("bot_failed", tier="standard", consecutive_failures=1) is None
    assert policy.should_escalate("bot_failed", tier="standard", consecutive_failures=2) == "bot_failed"
    assert policy.should_escalate("bot_failed", tier="vip", consecutive_failures=1) == "bot_failed", (
        "VIPs get a person sooner"
    )
    assert policy.should_escalate("late_order", tier=None, consecutive_failures=0) == "late_order"


def test_priority_and_sla() -> None:
    created = datetime(2026, 11, 23, 15, tzinfo=timezone.utc)
    assert policy.priority("asked_for_agent", "vip") == 40 > policy.priority("complaint", None) == 30
    assert (policy.sla_due("complaint", None, created) - created).total_seconds() == 600
    assert (policy.sla_due("asked_for_agent", None, created) - created).total_seconds() == 900
    assert policy.expected_wait_minutes(3, agents_online=2) == 6


def test_business_hours_in_the_shop_time_zone() -> None:
    monday_10_new_york = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
    sunday_noon = datetime(2026, 11, 22, 17, 0, tzinfo=timezone.utc)
    assert policy.is_open(monday_10_new_york)
    assert not policy.is_open(sunday_noon)
    opening = policy.next_opening(sunday_noon)
    assert (opening.strftime("%A %H:%M"), opening.tzname()) == ("Monday 08:00", "EST")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("triggers: {failed_turns: -1}", "triggers.failed_turns"),
        ("business_hours: {timezone: Mars/Olympus}", "business_hours.timezone"),
        ("business_hours: {days: {mon: '20:00-08:00'}}", "business_hours.days.mon"),
        ("business_hours: {days: {funday: '08:00-09:00'}}", "business_hours.days.funday"),
        ("priorities: {vip: high}", "priorities.vip"),
    ],
)
def test_a_bad_policy_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "escalation.yml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=field.replace(".", r"\.")):
        load_policy(path)
