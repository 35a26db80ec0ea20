"""Recomputing and reading customer segments (definitions: crm_store.segments).

A recomputation reads every customer's figures with three grouped queries, and replaces the whole
``customer_segments`` table in the caller's transaction, so it is idempotent: running it twice at
the same instant writes the same rows. Across replicas it also runs once at a time: on PostgreSQL
it first takes a transaction-scoped advisory lock (``pg_try_advisory_xact_lock``) and returns
None when another replica holds it (SQLite has one writer anyway); a scheduled run also skips when
the stored rows are fresher than its period, so replicas whose hours differ do not each recompute.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import Conversation, Customer, CustomerSegment, Order, Ticket
from crm_store.repositories.report_figures import ReportFilter
from crm_store.repositories.reports import conversations_in, tickets_in
from crm_store.segments import NOT_KEPT, OPEN_TICKET_STATUSES, SEGMENT_NAMES, WINDOW, Figures, profile

# Any fixed 64-bit number, the same in every replica: "segments are being recomputed".
RECOMPUTE_LOCK_KEY = 0x5E6_3E17


@dataclass(frozen=True)
class Recomputed:
    customers: int
    by_segment: dict[str, int]


async def _take_lock(session: AsyncSession) -> bool:
    if session.bind.dialect.name != "postgresql":
        return True
    taken = await session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": RECOMPUTE_LOCK_KEY})
    return bool(taken)


async def _figures(session: AsyncSession, now: datetime) -> dict[int, Figures]:
    kept = Order.status.not_in(NOT_KEPT)
    last = dict(
        (
            await session.execute(
                select(Order.customer_id, func.max(Order.placed_at)).where(kept).group_by(Order.customer_id)
            )
        ).all()
    )
    window = {
        customer_id: (count, int(spend or 0))
        for customer_id, count, spend in await session.execute(
            select(Order.customer_id, func.count(Order.id), func.sum(Order.total_cents))
            .where(kept, Order.placed_at > now - WINDOW, Order.placed_at <= now)
            .group_by(Order.customer_id)
        )
    }
    complaints = dict(
        (
            await session.execute(
                select(Ticket.customer_id, func.count(Ticket.id))
                .where(
                    Ticket.reason == "complaint",
                    Ticket.status.in_(OPEN_TICKET_STATUSES),
                    Ticket.customer_id.is_not(None),
                )
                .group_by(Ticket.customer_id)
            )
        ).all()
    )
    figures = {}
    for customer_id, tier in await session.execute(select(Customer.id, Customer.tier)):
        count, spend = window.get(customer_id, (0, 0))
        figures[customer_id] = Figures(tier, last.get(customer_id), count, spend, complaints.get(customer_id, 0))
    return figures


@dataclass(frozen=True)
class SegmentRow:
    """One segment in a report: its members now, and what they brought to the range."""

    segment: str
    customers: int
    conversations: int  # of the range (reports.conversations_in)
    tickets: int  # escalated in the range (reports.tickets_in)


async def segment_report(session: AsyncSession, report: ReportFilter) -> list[SegmentRow]:
    """Every segment, in definition order, by its members' segments as last recomputed.

    Membership is today's, not as of the range: a segment describes the customer now, and a lead
    asks "what do our at-risk customers cost us", not "who was at risk in March".
    """
    members = {row.customer_id: row.segments or [] for row in await session.scalars(select(CustomerSegment))}
    conversations = Counter[int](
        customer_id
        for customer_id in await session.scalars(
            select(Conversation.customer_id).where(Conversation.id.in_(conversations_in(report)))
        )
        if customer_id is not None
    )
    tickets = Counter[int](
        customer_id
        for customer_id in await session.scalars(select(Ticket.customer_id).where(Ticket.id.in_(tickets_in(report))))
        if customer_id is not None
    )
    rows = []
    for name in SEGMENT_NAMES:
        who = [customer_id for customer_id, names in members.items() if name in names]
        rows.append(SegmentRow(name, len(who), sum(conversations[c] for c in who), sum(tickets[c] for c in who)))
    return rows


class SegmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def recompute(self, now: datetime, *, unless_within: timedelta | None = None) -> Recomputed | None:
        """Every customer's segments as of ``now``; None when another replica is recomputing them, or
        (with ``unless_within``) recomputed them that recently: replicas on one schedule then take turns
        instead of each recomputing every period. Checked under the lock, so two cannot both decide to."""
        if not await _take_lock(self.session):
            return None
        if unless_within is not None:
            last = await self.session.scalar(select(func.max(CustomerSegment.computed_at)))
            if last is not None and now - last < unless_within:
                return None
        figures = await _figures(self.session, now)
        await self.session.execute(delete(CustomerSegment))
        counts: Counter[str] = Counter()
        for customer_id, figure in figures.items():
            result = profile(figure, now)
            counts.update(result.segments)
            self.session.add(
                CustomerSegment(
                    customer_id=customer_id,
                    recency=result.recency,
                    frequency=result.frequency,
                    monetary=result.monetary,
                    last_order_at=figure.last_order_at,
                    orders_in_window=figure.orders_in_window,
                    spend_in_window_cents=figure.spend_in_window_cents,
                    open_complaints=figure.open_complaints,
                    segments=list(result.segments),
                    computed_at=now,
                )
            )
        await self.session.flush()
        return Recomputed(len(figures), dict(counts))

    async def for_customer(self, customer_id: int) -> CustomerSegment | None:
        return await self.session.get(CustomerSegment, customer_id)

    async def names_for(self, customer_id: int | None) -> tuple[str, ...]:
        """The customer's named segments as last recomputed (none for an unknown or unsegmented customer)."""
        if customer_id is None:
            return ()
        row = await self.for_customer(customer_id)
        return tuple(row.segments or ()) if row is not None else ()


__all__ = ["RECOMPUTE_LOCK_KEY", "Recomputed", "SegmentRepository", "SegmentRow", "segment_report"]
