"""The support KPIs, each computed here and nowhere else, the same on SQLite and PostgreSQL.

Who belongs to a range (the definitions the reports page prints):

- A *conversation* belongs to the range it started in, and counts once the customer wrote something
  (a widget opened and closed without a word is not a conversation). Its outcome is read as of ``now``:
  *escalated* if it ever got a ticket; else *ongoing* while it is neither ended nor idle for
  ``IDLE_AFTER``; else *gave up* if the bot's last turn failed the customer (an unanswered turn, or
  "not helpful" as their last word); else *contained*.
- A *ticket* belongs to the range it was escalated in, whenever its conversation started; its tier and
  channel are its conversation's.
- A *rating* belongs to its conversation, however much later the customer gave it.

Durations are differences of stored timestamps, taken in Python: SQLite and PostgreSQL subtract dates
differently, and medians and percentiles have no common SQL. The queries only select and filter.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from crm_store.models import Conversation, Customer, FollowUp, Message, Ticket, User
from crm_store.repositories.report_figures import (
    ANONYMOUS,
    IDLE_AFTER,
    AgentRow,
    CsatGroup,
    DurationStats,
    FirstResponse,
    FollowUpFigures,
    KnowledgeFeedback,
    Outcomes,
    ReportFilter,
    Resolution,
    SlaRow,
    UnansweredQuestion,
    Volume,
    empty_week,
)

HELPFUL, NOT_HELPFUL = "/helpful", "/not_helpful"
CSAT_SCORES = range(1, 6)
IsOpen = Callable[[datetime], bool]  # whether the team was in at that moment (the escalation policy's hours)


# Scopes: which rows a range, a channel and a tier select --------------------------------------------


def _by_channel_and_tier(query: Select, report: ReportFilter) -> Select:
    """``query`` must already select from conversations."""
    if report.channel is not None:
        query = query.where(Conversation.channel == report.channel)
    if report.tier == ANONYMOUS:
        query = query.where(Conversation.customer_id.is_(None))
    elif report.tier is not None:
        query = query.join(Customer, Customer.id == Conversation.customer_id).where(Customer.tier == report.tier)
    return query


def conversations_in(report: ReportFilter) -> Select:
    """The ids of the range's conversations: started in it, with a word from the customer."""
    customer_wrote = exists().where(Message.conversation_id == Conversation.id, Message.sender == "customer")
    query = select(Conversation.id).where(
        Conversation.started_at >= report.start, Conversation.started_at < report.end, customer_wrote
    )
    return _by_channel_and_tier(query, report)


def tickets_in(report: ReportFilter) -> Select:
    """The ids of the range's tickets: escalated in it."""
    query = (
        select(Ticket.id)
        .join(Conversation, Conversation.id == Ticket.conversation_id)
        .where(Ticket.created_at >= report.start, Ticket.created_at < report.end)
    )
    return _by_channel_and_tier(query, report)


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds()


def _present(values: Iterable[float | None]) -> list[float]:
    return [value for value in values if value is not None]


def _quick_reply(payload: Any) -> str | None:
    reply = payload.get("quick_reply") if isinstance(payload, dict) else None
    return reply if isinstance(reply, str) else None


# Conversations: outcome, reasons, ratings ------------------------------------------------------------


async def _tickets_by_conversation(session: AsyncSession, report: ReportFilter) -> dict[str, list[Any]]:
    rows = await session.execute(
        select(Ticket.conversation_id, Ticket.id, Ticket.reason, Ticket.status, Ticket.first_response_at)
        .where(Ticket.conversation_id.in_(conversations_in(report)))
        .order_by(Ticket.id)
    )
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.conversation_id].append(row)
    return grouped


async def _last_customer_replies(session: AsyncSession, report: ReportFilter) -> dict[str, str | None]:
    """Each conversation's last customer message, as a quick-reply payload if it was one."""
    last = (
        select(Message.conversation_id, func.max(Message.id).label("message_id"))
        .where(Message.sender == "customer", Message.conversation_id.in_(conversations_in(report)))
        .group_by(Message.conversation_id)
        .subquery()
    )
    rows = await session.execute(
        select(Message.conversation_id, Message.payload).join(last, Message.id == last.c.message_id)
    )
    return {row.conversation_id: _quick_reply(row.payload) for row in rows}


async def conversation_outcomes(session: AsyncSession, report: ReportFilter, now: datetime) -> Outcomes:
    conversations = await session.execute(
        select(
            Conversation.id, Conversation.state, Conversation.ended_at, Conversation.last_message_at,
            Conversation.failed_turns,
        ).where(Conversation.id.in_(conversations_in(report)))
    )  # fmt: skip
    tickets = await _tickets_by_conversation(session, report)
    last_replies = await _last_customer_replies(session, report)
    counts: Counter[str] = Counter()
    for conversation in conversations:
        over = (
            conversation.ended_at is not None
            or conversation.state == "closed"
            or conversation.last_message_at <= now - IDLE_AFTER
        )
        own = tickets.get(conversation.id, [])
        counts["conversations"] += 1
        if own:
            counts["escalated"] += 1
            if over and all(ticket.first_response_at is None for ticket in own):
                counts["left_waiting"] += 1
        elif not over:
            counts["ongoing"] += 1
        elif (conversation.failed_turns or 0) > 0 or last_replies.get(conversation.id) == NOT_HELPFUL:
            counts["gave_up"] += 1
        else:
            counts["contained"] += 1
    return Outcomes(
        conversations=counts["conversations"],
        contained=counts["contained"],
        escalated=counts["escalated"],
        gave_up=counts["gave_up"],
        ongoing=counts["ongoing"],
        left_waiting=counts["left_waiting"],
    )


async def escalation_reasons(session: AsyncSession, report: ReportFilter) -> dict[str, int]:
    """Escalated conversations of the range by the reason of their first ticket, most frequent first."""
    tickets = await _tickets_by_conversation(session, report)
    reasons = Counter(own[0].reason for own in tickets.values())
    return dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))


async def csat(session: AsyncSession, report: ReportFilter) -> list[CsatGroup]:
    """Ratings of the range's conversations: bot only (never escalated) and human-handled (escalated)."""
    escalated = exists().where(Ticket.conversation_id == Conversation.id)
    rows = await session.execute(
        select(escalated.label("escalated"), Conversation.csat).where(
            Conversation.id.in_(conversations_in(report)), Conversation.csat.is_not(None)
        )
    )
    groups = {name: CsatGroup(name, {score: 0 for score in CSAT_SCORES}) for name in ("bot_only", "human_handled")}
    for is_escalated, score in rows:
        groups["human_handled" if is_escalated else "bot_only"].distribution[int(score)] += 1
    return list(groups.values())


async def first_response(session: AsyncSession, report: ReportFilter) -> FirstResponse:
    """Bot: a conversation's first customer message to the bot's first reply after it.
    Human: a ticket's escalation to the first message a person sent."""
    first_customer = (
        select(Message.conversation_id, func.min(Message.created_at).label("asked_at"))
        .where(Message.sender == "customer", Message.conversation_id.in_(conversations_in(report)))
        .group_by(Message.conversation_id)
        .subquery()
    )
    bot_rows = await session.execute(
        select(first_customer.c.asked_at, func.min(Message.created_at))
        .join(
            Message,
            and_(
                Message.conversation_id == first_customer.c.conversation_id,
                Message.sender == "bot",
                Message.created_at >= first_customer.c.asked_at,
            ),
        )
        .group_by(first_customer.c.conversation_id, first_customer.c.asked_at)
    )
    human_rows = await session.execute(
        select(Ticket.created_at, Ticket.first_response_at).where(
            Ticket.id.in_(tickets_in(report)), Ticket.first_response_at.is_not(None)
        )
    )
    return FirstResponse(
        bot=DurationStats.of(_present(_seconds(asked, answered) for asked, answered in bot_rows)),
        human=DurationStats.of(_present(_seconds(created, replied) for created, replied in human_rows)),
    )


# Tickets: resolution, SLA ------------------------------------------------------------------------------


async def resolution(session: AsyncSession, report: ReportFilter) -> Resolution:
    """Tickets of the range, how many a person resolved and how long from escalation that took."""
    earlier = aliased(Ticket)
    reopened = exists().where(
        earlier.conversation_id == Ticket.conversation_id,
        earlier.id != Ticket.id,
        earlier.resolved_at.is_not(None),
        earlier.resolved_at <= Ticket.created_at,
    )
    rows = (
        await session.execute(
            select(Ticket.created_at, Ticket.resolved_at, reopened.label("reopened")).where(
                Ticket.id.in_(tickets_in(report))
            )
        )
    ).all()
    durations = _present(_seconds(row.created_at, row.resolved_at) for row in rows)
    return Resolution(
        tickets=len(rows),
        resolved=sum(row.resolved_at is not None for row in rows),
        reopened=sum(bool(row.reopened) for row in rows),
        time_to_resolution=DurationStats.of(durations),
    )


async def sla(session: AsyncSession, report: ReportFilter, now: datetime, is_open: IsOpen) -> list[SlaRow]:
    """First-reply targets by escalation reason. Met: a person replied by ``sla_due_at``; breached: later,
    or not yet and it is past due; pending: not yet and not yet due. Out of hours uses ``is_open``."""
    rows = await session.execute(
        select(Ticket.reason, Ticket.created_at, Ticket.sla_due_at, Ticket.first_response_at)
        .where(Ticket.id.in_(tickets_in(report)))
        .order_by(Ticket.id)
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for reason, created_at, due, replied in rows:
        count = counts[reason]
        count["tickets"] += 1
        closed = not is_open(created_at)
        count["out_of_hours"] += closed
        if due is None:
            count["without_sla"] += 1
        elif replied is not None and replied <= due:
            count["met"] += 1
        elif replied is not None or now > due:
            count["breached"] += 1
            count["breached_out_of_hours"] += closed
        else:
            count["pending"] += 1
    return [
        SlaRow(
            reason=reason,
            tickets=c["tickets"],
            met=c["met"],
            breached=c["breached"],
            pending=c["pending"],
            without_sla=c["without_sla"],
            out_of_hours=c["out_of_hours"],
            breached_out_of_hours=c["breached_out_of_hours"],
        )
        for reason, c in sorted(counts.items(), key=lambda item: (-item[1]["tickets"], item[0]))
    ]


# The knowledge base ---------------------------------------------------------------------------------------


def _customers_in(report: ReportFilter) -> Any:
    """The customers' messages in the range's conversations (whenever in the conversation they were sent)."""
    return and_(Message.sender == "customer", Message.conversation_id.in_(conversations_in(report)))


# Read inside the JSON payload by the database (JSON_EXTRACT on SQLite, ->> on PostgreSQL), so only the
# few messages that carry them are read: a year of chat is millions of messages.
QUICK_REPLY = Message.payload["quick_reply"].as_string()
UNANSWERED_FLAG = Message.payload["unanswered"].as_boolean()


async def knowledge_feedback(session: AsyncSession, report: ReportFilter) -> KnowledgeFeedback:
    """The customers' verdicts on the bot's answers (the 👍 / 👎 buttons under each), and the unanswered turns."""
    # Counted here, not grouped by in SQL: PostgreSQL will not group by an expression with a bound parameter.
    verdicts = Counter(
        (
            await session.execute(
                select(QUICK_REPLY).where(_customers_in(report), QUICK_REPLY.in_((HELPFUL, NOT_HELPFUL)))
            )
        ).scalars()
    )
    unanswered = await session.scalar(
        select(func.count()).select_from(Message).where(_customers_in(report), UNANSWERED_FLAG.is_(True))
    )
    return KnowledgeFeedback(helpful=verdicts[HELPFUL], not_helpful=verdicts[NOT_HELPFUL], unanswered=unanswered or 0)


_SPACES = re.compile(r"\s+")


async def top_unanswered(session: AsyncSession, report: ReportFilter, limit: int = 10) -> list[UnansweredQuestion]:
    """The questions the bot could not answer, the same words (case and spacing aside) counted together.

    The reports page (handoff/reports/report.py) and the trainer console group them by meaning and scrub
    personal data; this is the range's plain tally.
    """
    rows = await session.execute(
        select(Message.text, Message.created_at)
        .where(_customers_in(report), UNANSWERED_FLAG.is_(True))
        .order_by(Message.id)
    )
    seen: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        if row.text and row.text.strip():
            seen[_SPACES.sub(" ", row.text.strip()).lower()].append(row)
    questions = [
        UnansweredQuestion(text=rows[-1].text.strip(), count=len(rows), last_at=max(r.created_at for r in rows))
        for rows in seen.values()
    ]
    return sorted(questions, key=lambda q: (-q.count, -q.last_at.timestamp(), q.text))[:limit]


# When customers write -------------------------------------------------------------------------------------


async def volume(session: AsyncSession, report: ReportFilter) -> Volume:
    """Conversations started and tickets escalated, by weekday and hour in the report's zone."""
    started = await session.execute(
        select(Conversation.started_at).where(Conversation.id.in_(conversations_in(report)))
    )
    escalated = await session.execute(select(Ticket.created_at).where(Ticket.id.in_(tickets_in(report))))
    result = Volume(conversations=empty_week(), escalations=empty_week())
    for grid, moments in ((result.conversations, started.scalars()), (result.escalations, escalated.scalars())):
        for moment in moments:
            local = moment.astimezone(report.zone)
            grid[local.weekday()][local.hour] += 1
    return result


# People --------------------------------------------------------------------------------------------------------


async def agents(session: AsyncSession, report: ReportFilter) -> list[AgentRow]:
    """Per agent, the range's tickets they resolved: how many, how fast the first reply came, how long they
    worked on it (their claim to the resolution), and the ratings of those conversations."""
    rows = await session.execute(
        select(
            Ticket.agent_id, User.display_name, Ticket.conversation_id, Ticket.created_at, Ticket.claimed_at,
            Ticket.first_response_at, Ticket.resolved_at, Conversation.csat,
        )
        .join(User, User.id == Ticket.agent_id)
        .join(Conversation, Conversation.id == Ticket.conversation_id)
        .where(Ticket.id.in_(tickets_in(report)), Ticket.resolved_at.is_not(None))
        .order_by(Ticket.id)
    )  # fmt: skip
    by_agent: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_agent[row.agent_id].append(row)
    result = []
    for agent_id, own in by_agent.items():
        # A conversation's rating counts once per agent, even when they resolved it twice.
        ratings = {row.conversation_id: row.csat for row in own if row.csat is not None}
        result.append(
            AgentRow(
                agent_id=agent_id,
                name=own[0].display_name,
                handled=len(own),
                first_response=DurationStats.of(_present(_seconds(r.created_at, r.first_response_at) for r in own)),
                handling=DurationStats.of(_present(_seconds(r.claimed_at, r.resolved_at) for r in own)),
                csat_rated=len(ratings),
                csat_average=sum(ratings.values()) / len(ratings) if ratings else None,
            )
        )
    return sorted(result, key=lambda row: (-row.handled, row.name))


__all__ = [
    "agents",
    "conversation_outcomes",
    "conversations_in",
    "csat",
    "escalation_reasons",
    "first_response",
    "knowledge_feedback",
    "resolution",
    "sla",
    "tickets_in",
    "top_unanswered",
    "volume",
]


async def follow_up_visits(session: AsyncSession, report: ReportFilter) -> FollowUpFigures:
    """A follow-up belongs to the range its due time falls in; its channel and tier are its conversation's."""
    query = _by_channel_and_tier(
        select(FollowUp.state, FollowUp.rating)
        .join(Conversation, Conversation.id == FollowUp.conversation_id)
        .where(FollowUp.due_at >= report.start, FollowUp.due_at < report.end),
        report,
    )
    rows = (await session.execute(query)).all()
    states = Counter(row.state for row in rows)
    ratings = [row.rating for row in rows if row.rating is not None]
    return FollowUpFigures(
        total=len(rows),
        scheduled=states["scheduled"],
        unanswered=states["sent"],
        answered_yes=states["answered_yes"],
        answered_no=states["answered_no"] + states["reopened"],
        reopened=states["reopened"],
        cancelled=states["cancelled"],
        rated=len(ratings),
        rating_average=sum(ratings) / len(ratings) if ratings else None,
    )
