"""The follow_ups section of escalation.yml: the shipped rule, and bad rules that stop start-up naming the field."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handoff.desk.escalation import PolicyError, load_policy, parse_policy
from handoff.desk.follow_ups import parse_reply, question_buttons, rating_buttons
from handoff.schemas import PAYLOAD


def test_the_shipped_policy_follows_up_complaints_after_three_days() -> None:
    rules = load_policy().follow_ups
    assert set(rules) == {"complaint"}
    assert rules["complaint"].after == timedelta(days=3)
    assert rules["complaint"].text == "Did the replacement arrive? Is everything sorted?"


def test_a_rule_without_text_asks_the_default_question_and_days_may_be_fractional() -> None:
    rule = parse_policy("follow_ups:\n  late_order: {after_days: 1.5}\n").follow_ups["late_order"]
    assert rule.after == timedelta(hours=36) and "Is everything sorted" in rule.text


def test_no_section_means_no_follow_ups() -> None:
    assert parse_policy("triggers: {complaint: true}\n").follow_ups == {}


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("follow_ups: [complaint]", "follow_ups must be a mapping"),
        ("follow_ups: {refund: {after_days: 2}}", "follow_ups.refund is not a ticket reason"),
        ("follow_ups: {complaint: 3}", "follow_ups.complaint must be a mapping"),
        ("follow_ups: {complaint: {}}", "follow_ups.complaint.after_days"),
        ("follow_ups: {complaint: {after_days: 0}}", "follow_ups.complaint.after_days"),
        ("follow_ups: {complaint: {after_days: yes}}", "follow_ups.complaint.after_days"),
        ("follow_ups: {complaint: {after_days: .nan}}", "follow_ups.complaint.after_days"),
        ("follow_ups: {complaint: {after_days: 2, text: ''}}", "follow_ups.complaint.text"),
        ("follow_ups: {complaint: {after_days: 2, text: 7}}", "follow_ups.complaint.text"),
        ("follow_ups: {complaint: {after_days: 2, when: later}}", "follow_ups.complaint.when is not"),
    ],
)
def test_a_bad_rule_stops_start_up_naming_the_field(section: str, field: str) -> None:
    with pytest.raises(PolicyError, match=field.replace(".", r"\.")) as raised:
        parse_policy(section + "\n")
    assert raised.value.message.startswith("escalation.yml: ")
    assert raised.value.code == "escalation_policy_invalid"


def test_the_buttons_payloads_are_valid_quick_replies_and_read_back() -> None:
    for button in question_buttons(12) + rating_buttons(12):
        assert PAYLOAD.match(button["payload"]), button["payload"]
    no = question_buttons(12)[1]["payload"]
    assert parse_reply(no) == parse_reply('/follow_up_answer{"follow_up": 12, "answer": "no"}')
    assert parse_reply(no).answer == "no" and parse_reply(rating_buttons(12)[3]["payload"]).rating == 4


@pytest.mark.parametrize(
    "payload",
    [
        '/follow_up_answer{"follow_up": 12, "answer": "maybe"}',
        '/follow_up_answer{"follow_up": "12", "answer": "no"}',
        '/follow_up_answer{"follow_up": true, "answer": "no"}',
        '/follow_up_rating{"follow_up": 12, "rating": 6}',
        '/follow_up_rating{"follow_up": 12, "rating": true}',
        '/follow_up_answer{"follow_up": 12, "rating": 5}',
        "/follow_up_answer",
        "/follow_up_answer{not json}",
    ],
)
def test_a_reply_that_is_not_ours_reads_as_none(payload: str) -> None:
    assert parse_reply(payload) is None
