"""The live queue in a few numbers, for the operators' metrics (read at every Prometheus scrape).

One grouped query over the open tickets only (an index on ``tickets.status``), so a scrape stays
cheap however much history the table holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import Ticket

OPEN_STATUSES = ("queued", "assigned")


@dataclass(frozen=True)
class QueueFigures:
    tickets: dict[str, int]  # open tickets by status, every open status present
    oldest_wait_s: float  # the longest a queued ticket has waited so far; 0 with an empty queue
    total_wait_s: float  # the queued tickets' waits added up (mean = total / queued)


async def queue_figures(session: AsyncSession, now: datetime) -> QueueFigures:
    rows = await session.execute(
        select(Ticket.status, func.count(Ticket.id), func.min(Ticket.created_at))
        .where(Ticket.status.in_(OPEN_STATUSES))
        .group_by(Ticket.status)
    )
    counts = dict.fromkeys(OPEN_STATUSES, 0)
    oldest = None
    for status, count, first in rows:
        counts[status] = count
        if status == "queued":
            oldest = first
    total = 0.0
    if counts["queued"]:
        created = await session.scalars(select(Ticket.created_at).where(Ticket.status == "queued"))
        total = sum(max((now - at).total_seconds(), 0.0) for at in created)
    wait = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    return QueueFigures(counts, wait, total)


__all__ = ["QueueFigures", "queue_figures"]
