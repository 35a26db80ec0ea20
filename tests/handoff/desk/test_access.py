"""Who may see and work a ticket: one rule, and "not yours" looks like "does not exist"."""

from __future__ import annotations

import pytest

from crm_store.models import Ticket, User
from handoff.desk import access
from handoff.errors import NotFound

KIM, LEE, ADMIN = (
    User(id=1, username="kim", role="agent"),
    User(id=2, username="lee", role="agent"),
    User(id=3, username="ada", role="admin"),
)


@pytest.mark.parametrize(
    ("status", "owner", "user", "sees", "works"),
    [
        ("queued", None, KIM, True, False),
        ("assigned", KIM.id, KIM, True, True),
        ("assigned", KIM.id, LEE, False, False),
        ("assigned", KIM.id, ADMIN, True, True),
        ("resolved", KIM.id, LEE, False, False),
        ("resolved", KIM.id, KIM, True, True),
    ],
)
def test_the_rule(status: str, owner: int | None, user: User, sees: bool, works: bool) -> None:
    ticket = Ticket(id=7, status=status, agent_id=owner)
    assert access.can_see(ticket, user) is sees
    assert access.can_work(ticket, user) is works
    if sees:
        assert access.visible(ticket, user) is ticket
    else:
        with pytest.raises(NotFound, match="no such ticket"):
            access.visible(ticket, user)


def test_a_missing_ticket_and_someone_elses_give_the_same_answer() -> None:
    with pytest.raises(NotFound) as missing:
        access.workable(None, LEE)
    with pytest.raises(NotFound) as others:
        access.workable(Ticket(id=7, status="assigned", agent_id=KIM.id), LEE)
    assert str(missing.value) == str(others.value)
