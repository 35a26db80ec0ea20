from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from handoff.desk.escalation import POLICY_FILE, PolicyError, load_policy, parse_policy
from tests.fuzzing import FUZZ, values, with_some_of

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
        # Found by the fuzz test below: each of these crashed with AttributeError, TypeError or ValueError.
        ("- a list, not a mapping", "the file"),
        ("triggers: 3", "triggers"),
        ("priorities: [vip]", "priorities"),
        ("business_hours: {days: [mon]}", "business_hours.days"),
        ("business_hours: {timezone: 5}", "business_hours.timezone"),
        ("minutes_per_customer: abc", "minutes_per_customer"),
        ("minutes_per_customer: .nan", "minutes_per_customer"),  # loaded, then failed on the first wait estimate
        ("vip_tiers: 5", "vip_tiers"),
        ("triggers: {complaint: sometimes}", "triggers.complaint"),
    ],
)
def test_a_bad_policy_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "escalation.yml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=field.replace(".", r"\.")):
        load_policy(path)


def test_a_blank_section_means_the_defaults() -> None:
    assert parse_policy("business_hours:\ntriggers:\n").failed_turns == 2


SHIPPED = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
policies = with_some_of(
    {
        **SHIPPED,
        "triggers": with_some_of(SHIPPED["triggers"]),
        "business_hours": with_some_of(
            {**SHIPPED["business_hours"], "days": with_some_of(SHIPPED["business_hours"]["days"])}
        ),
    }
)


@FUZZ
@given(st.one_of(policies, values))
def test_any_document_is_a_policy_or_a_policy_error(document) -> None:  # type: ignore[no-untyped-def]
    _loads_or_names_the_problem(yaml.safe_dump(document))


@FUZZ
@given(st.text(max_size=300))
def test_any_text_is_a_policy_or_a_policy_error(text: str) -> None:
    _loads_or_names_the_problem(text)


def _loads_or_names_the_problem(text: str) -> None:
    try:
        policy = parse_policy(text)
    except PolicyError as error:
        assert "escalation.yml" in error.message
        return
    # A policy that loads answers every question the desk asks of it.
    moment = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
    policy.expected_wait_minutes(3, 0)
    policy.sla_due("complaint", "vip", moment)
    policy.priority("complaint", None)
    if policy.opening_hours:
        policy.next_opening(moment)
