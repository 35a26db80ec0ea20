"""Every KPI of the reports page against the hand-worked week of tests/crm_store/report_fixture.py, on both databases.

The sums in the comments are the whole check: work them from the fixture's table, not from the code.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from crm_store.db import unit_of_work
from crm_store.repositories import reports
from crm_store.repositories.report_figures import DurationStats, ReportFilter, median, percentile
from handoff.desk.escalation import load_policy
from tests.crm_store.report_fixture import NOW, SHOP_ZONE, Week, at, seed_week

WEEK = ReportFilter.for_days(date(2026, 11, 2), date(2026, 11, 8), SHOP_ZONE)


@pytest.fixture
async def week(sessions) -> Week:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        return await seed_week(session)


def test_a_range_of_local_days_is_half_open_from_local_midnight() -> None:
    # New York is UTC-5 that week: Monday 00:00 local is 05:00Z, and the Monday after ends it.
    assert WEEK.start == datetime(2026, 11, 2, 5, tzinfo=timezone.utc)
    assert WEEK.end == datetime(2026, 11, 9, 5, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"channel": "fax"}, "channel must be one of web, telegram"),
        ({"tier": "platinum"}, "tier must be one of standard, silver, gold, vip, anonymous"),
        ({"end": datetime(2026, 11, 2, 5, tzinfo=timezone.utc)}, "must end after it starts"),
    ],
)
def test_a_bad_filter_names_what_is_wrong(fields: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"start": WEEK.start, "end": WEEK.end, **fields}
    with pytest.raises(ValueError, match=message):
        ReportFilter(**values)  # type: ignore[arg-type]


def test_median_and_nearest_rank_percentile() -> None:
    assert median([3, 1, 2]) == 2
    assert median([1, 2, 3, 10]) == 2.5  # the mean of the two middle values
    assert percentile([1, 2, 3, 10], 90) == 10  # rank ceil(0.9 x 4) = 4
    assert percentile(list(range(1, 21)), 90) == 18  # rank ceil(0.9 x 20) = 18
    assert median([]) is None and percentile([], 90) is None


async def test_outcomes_of_the_weeks_conversations(sessions, week) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        outcomes = await reports.conversation_outcomes(session, WEEK, NOW)
    # In the range with a word from the customer: C1 C2 C3 C4 C5 C7 C8 C9 = 8
    # (C6 started before it, C11 at its end, C10 has no customer message).
    assert outcomes.conversations == 8
    assert outcomes.contained == 2  # C1, C9
    assert outcomes.escalated == 3  # C3, C4, C5
    assert outcomes.gave_up == 2  # C2 (unanswered, then silence), C8 (👎 was the last word)
    assert outcomes.ongoing == 1  # C7 wrote 15 minutes before "now"
    assert outcomes.left_waiting == 1  # C5: escalated, nobody replied, silent since Thursday
    assert outcomes.containment_rate == pytest.approx(2 / 7)  # contained / (contained + escalated + gave up)


async def test_escalations_by_the_reason_of_the_first_ticket(sessions, week) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        reasons = await reports.escalation_reasons(session, WEEK)
    # C3 complaint (T3b, the reopening, is the same conversation), C4 asked_for_agent, C5 bot_failed; C6 is not ours.
    assert reasons == {"asked_for_agent": 1, "bot_failed": 1, "complaint": 1}


async def test_first_response_of_the_bot_and_of_people(sessions, week) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        first = await reports.first_response(session, WEEK)
    # Bot, per conversation: C1 2 (the greeting before the question does not count), C2 4, C3 1, C4 3, C5 2,
    # C7 6, C8 5, C9 10 -> sorted 1 2 2 3 4 5 6 10: median (3 + 4) / 2 = 3.5; p90 rank ceil(7.2) = 8 -> 10.
    assert first.bot == DurationStats(count=8, median=3.5, p90=10.0)
    # People, per ticket escalated in the range: T3 3 min = 180, T3b 11 min = 660, T4 03:01 -> 13:06 = 36300,
    # T6 05:10 -> 13:02 = 28320 (T5 never answered) -> median (660 + 28320) / 2 = 14490; p90 rank 4 -> 36300.
    assert first.human == DurationStats(count=4, median=14490.0, p90=36300.0)


async def test_resolution_counts_the_reopened_ticket(sessions, week) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        resolution = await reports.resolution(session, WEEK)
    assert resolution.tickets == 5  # T3, T3b, T4, T5, and T6 (escalated in the range, its conversation not)
    assert resolution.resolved == 4  # all but T5
    assert resolution.reopened == 1  # T3b: C3 had been resolved (T3) before it was raised
    # T3 20 min = 1200, T3b 40 min = 2400, T4 03:01 -> 13:30 = 37740, T6 05:10 -> 13:12 = 28920
    # -> median (2400 + 28920) / 2 = 15660; p90 rank 4 -> 37740.
    assert resolution.time_to_resolution == DurationStats(count=4, median=15660.0, p90=37740.0)


async def test_sla_by_reason_with_the_escalations_out_of_hours(sessions, week) -> None:  # type: ignore[no-untyped-def]
    is_open = load_policy().is_open
    async with unit_of_work(sessions) as session:
        rows = {row.reason: row for row in await reports.sla(session, WEEK, NOW, is_open)}
        earlier = {row.reason: row for row in await reports.sla(session, WEEK, at(5, 17, 10), is_open)}
    assert list(rows) == ["asked_for_agent", "complaint", "bot_failed"]  # most tickets first, then by name
    # T4 (Tue 22:01 local) and T6 (Mon 00:10 local): both escalated while closed, both answered hours late.
    asked = rows["asked_for_agent"]
    assert (asked.tickets, asked.met, asked.breached, asked.pending) == (2, 0, 2, 0)
    assert (asked.out_of_hours, asked.breached_out_of_hours) == (2, 2)
    # T3 replied at 3 of 5 minutes (met), T3b at 11 of 5 (breached); Tuesday 09:00 and 10:00, open.
    complaint = rows["complaint"]
    assert (complaint.tickets, complaint.met, complaint.breached, complaint.out_of_hours) == (2, 1, 1, 0)
    # T5: never answered and long past due (Thursday 12:16 local).
    bot_failed = rows["bot_failed"]
    assert (bot_failed.tickets, bot_failed.met, bot_failed.breached, bot_failed.pending) == (1, 0, 1, 0)
    # At 17:10Z on Thursday T5 had 6 of its 15 minutes left: pending, not breached.
    assert (earlier["bot_failed"].breached, earlier["bot_failed"].pending) == (0, 1)


async def test_csat_of_bot_only_and_human_handled_conversations(sessions, week) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        groups = {group.group: group for group in await reports.csat(session, WEEK)}
    bot_only, human = groups["bot_only"], groups["human_handled"]
    assert bot_only.distribution == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1}  # C9 4, C1 5
    assert bot_only.average == 4.5 and bot_only.satisfied_share == 1.0
    # C3 4, and C4's 2 given on the 9th, after the range: a rating belongs to its conversation. C6's 3 is not ours.
    assert human.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 0}
    assert human.average == 3.0 and human.satisfied_share == 0.5


async def test_knowledge_base_feedback_and_unanswered_questions(sessions, week) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        feedback = await reports.knowledge_feedback(session, WEEK)
        top = await reports.top_unanswered(session, WEEK)
    assert (feedback.helpful, feedback.not_helpful) == (2, 1)  # C1 and C9 👍, C8 👎
    assert feedback.helpful_share == pytest.approx(2 / 3)
    assert feedback.unanswered == 3  # C2, C4, C5 (C6's is before the range)
    # C2 and C5 asked the same, in different case; the newest wording is shown.
    assert [(q.text, q.count) for q in top] == [("Do you sell gift cards?", 2), ("what are your hours", 1)]
    assert top[0].last_at == at(5, 17)


async def test_volume_by_local_weekday_and_hour(sessions, week) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        volume = await reports.volume(session, WEEK)
    started = {(d, h): n for d, hours in enumerate(volume.conversations) for h, n in enumerate(hours) if n}
    # Local (UTC-5) start of each: C1 Mon 9 (its greeting, 09:59:50, opened it), C2 Mon 11, C3 Tue 9, C4 Tue 22,
    # C5 Thu 12, C8 Fri 15, C9 Sat 10, C7 Sun 23.
    assert started == {(0, 9): 1, (0, 11): 1, (1, 9): 1, (1, 22): 1, (3, 12): 1, (4, 15): 1, (5, 10): 1, (6, 23): 1}
    escalated = {(d, h): n for d, hours in enumerate(volume.escalations) for h, n in enumerate(hours) if n}
    # T6 Mon 00:10, T3 Tue 09:00, T3b Tue 10:00, T4 Tue 22:01, T5 Thu 12:01.
    assert escalated == {(0, 0): 1, (1, 9): 1, (1, 10): 1, (1, 22): 1, (3, 12): 1}


async def test_agents(sessions, week) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        rows = await reports.agents(session, WEEK)
    kim, lee = rows
    assert (kim.agent_id, kim.name, kim.handled) == (week.kim_id, "Kim", 2)  # T3, T4
    assert kim.first_response == DurationStats(2, 18240.0, 36300.0)  # 180 and 36300
    assert kim.handling == DurationStats(2, 1290.0, 1500.0)  # claim to resolution: T3 1080, T4 1500
    assert (kim.csat_rated, kim.csat_average) == (2, 3.0)  # C3 4, C4 2
    assert (lee.agent_id, lee.name, lee.handled) == (week.lee_id, "Lee", 2)  # T3b, T6
    assert lee.first_response == DurationStats(2, 14490.0, 28320.0)  # 660 and 28320
    assert lee.handling == DurationStats(2, 1260.0, 1800.0)  # T3b 1800, T6 720
    assert (lee.csat_rated, lee.csat_average) == (2, 3.5)  # C3 4, C6 3 (the agent's tickets, not the range's chats)


async def test_channel_and_tier_filters(sessions, week) -> None:  # type: ignore[no-untyped-def]
    telegram = ReportFilter.for_days(date(2026, 11, 2), date(2026, 11, 8), SHOP_ZONE, channel="telegram")
    vip = ReportFilter.for_days(date(2026, 11, 2), date(2026, 11, 8), SHOP_ZONE, tier="vip")
    anonymous = ReportFilter.for_days(date(2026, 11, 2), date(2026, 11, 8), SHOP_ZONE, tier="anonymous")
    async with unit_of_work(sessions) as session:
        on_telegram = await reports.conversation_outcomes(session, telegram, NOW)
        telegram_tickets = await reports.resolution(session, telegram)
        for_vips = await reports.conversation_outcomes(session, vip, NOW)
        vip_tickets = await reports.resolution(session, vip)
        for_visitors = await reports.conversation_outcomes(session, anonymous, NOW)
    assert (on_telegram.conversations, on_telegram.escalated, on_telegram.gave_up) == (2, 1, 1)  # C3, C8
    assert telegram_tickets.tickets == 3  # T3, T3b, T6
    assert (for_vips.conversations, for_vips.contained, for_vips.escalated) == (2, 1, 1)  # C9, C3 (Ada)
    assert (vip_tickets.tickets, vip_tickets.reopened) == (2, 1)  # T3, T3b
    assert (for_visitors.conversations, for_visitors.gave_up, for_visitors.left_waiting) == (2, 1, 1)  # C2, C5
