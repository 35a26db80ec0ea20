"""Who may see and work a ticket, written once.

An agent sees the queue's waiting tickets and their own; an admin sees all. Working
a ticket (replying, releasing, transferring, resolving) needs it to be yours, or
admin. Anything else looks exactly like a ticket that does not exist, so ids reveal
nothing about other agents' work.
"""

from __future__ import annotations

from crm_store.models import Ticket, User
from handoff.errors import NotFound

NO_SUCH_TICKET = "no such ticket"


def can_see(ticket: Ticket, user: User) -> bool:
    return user.role == "admin" or ticket.status == "queued" or ticket.agent_id == user.id


def can_work(ticket: Ticket, user: User) -> bool:
    return user.role == "admin" or ticket.agent_id == user.id


def visible(ticket: Ticket | None, user: User) -> Ticket:
    """The ticket if ``user`` may see it; otherwise NotFound, as if it did not exist."""
    if ticket is None or not can_see(ticket, user):
        raise NotFound(NO_SUCH_TICKET)
    return ticket


def workable(ticket: Ticket | None, user: User) -> Ticket:
    """The ticket if ``user`` may work it; otherwise NotFound, as if it did not exist."""
    if ticket is None or not can_work(ticket, user):
        raise NotFound(NO_SUCH_TICKET)
    return ticket


__all__ = ["can_see", "can_work", "visible", "workable"]
