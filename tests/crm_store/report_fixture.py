"""A small week of support, every figure of which is worked out by hand in tests/crm_store/test_reports.py.

The week is Monday 2 to Sunday 8 November 2026 in New York (UTC-5 all week: summer time ended on the 1st),
so the range is [2026-11-02 05:00Z, 2026-11-09 05:00Z). "Now" is 2026-11-09 06:00Z. Times below are UTC,
with the shop's local time in the comments. The team is in Mon-Fri 08-20 and Sat 09-17 (escalation.yml).

    C1  web       Ben (standard)  Mon 10:00  bot greets first; answered in 2 s; 👍; rated 5        contained
    C2  web       anonymous       Mon 11:00  "do you sell gift cards?" unanswered (4 s), leaves    gave up
    C3  telegram  Ada (vip)       Tue 09:00  1 s; complaint: T3 Kim (met), then T3b Lee (breached,
                                             reopened: a second ticket after T3 was resolved); rated 4  escalated
    C4  web       Cleo (gold)     Tue 22:00  3 s; asks for a person out of hours: T4 Kim next morning
                                             (breached); rated 2 on Monday 9th, after the range ends   escalated
    C5  web       anonymous       Thu 12:00  2 s; "Do you sell gift cards?" unanswered; T5 bot_failed,
                                             no one ever replies, the customer goes quiet              escalated (left waiting)
    C6  telegram  Ben (standard)  Sun 1st 23:50, before the range; its ticket T6 is escalated Mon 00:10
                                             (in the range, out of hours), Lee replies at 08:02; rated 3
    C7  web       Ben (standard)  Sun 23:50  6 s; writes again at 00:45 Monday (after the range)    ongoing
    C8  telegram  Cleo (gold)     Fri 15:00  5 s; 👎 is their last word                              gave up
    C9  web       Ada (vip)       Sat 10:00  10 s; 👍; rated 4                                       contained
    C10 web       anonymous       Sat 11:00  the widget greeted, the visitor never wrote             not a conversation
    C11 web       Ben (standard)  Mon 9th 00:00, the first instant after the range                   not in the range
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import Conversation, Message, Ticket, User
from tests.factories import make_customer

SHOP_ZONE = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 9, 6, 0, tzinfo=timezone.utc)
UNANSWERED = {"unanswered": True}
HELPFUL = {"quick_reply": "/helpful"}
NOT_HELPFUL = {"quick_reply": "/not_helpful"}


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=timezone.utc)


@dataclass
class Week:
    kim_id: int
    lee_id: int


Said = tuple[str, datetime, str, dict[str, Any] | None]  # sender, when, text, payload


def _conversation(
    session: AsyncSession,
    conversation_id: str,
    channel: str,
    customer_id: int | None,
    said: list[Said],
    *,
    state: str = "bot",
    failed_turns: int = 0,
    csat: int | None = None,
) -> None:
    session.add(
        Conversation(
            id=conversation_id,
            channel=channel,
            customer_id=customer_id,
            state=state,
            started_at=said[0][1],
            last_message_at=max(when for _, when, _, _ in said),
            failed_turns=failed_turns,
            csat=csat,
        )
    )
    for sender, when, text, payload in said:
        session.add(
            Message(
                conversation_id=conversation_id,
                sender=sender,
                text=text,
                payload=payload,
                channel=channel,
                created_at=when,
                # Answered long ago: a gateway started on this data must not take them for work left undone.
                processed_at=when if sender == "customer" else None,
                delivered_at=when if sender != "customer" else None,
            )
        )


def _ticket(session: AsyncSession, conversation_id: str, reason: str, created: datetime, **fields: Any) -> None:
    minutes = 5 if fields.pop("vip", False) else 15
    status = "resolved" if fields.get("resolved_at") else "assigned" if fields.get("agent_id") else "queued"
    session.add(
        Ticket(
            conversation_id=conversation_id,
            reason=reason,
            status=status,
            context={},
            created_at=created,
            sla_due_at=created + timedelta(minutes=minutes),
            **fields,
        )
    )


async def seed_week(session: AsyncSession) -> Week:
    ada, ben, cleo = (
        make_customer(first_name="Ada", tier="vip"),
        make_customer(first_name="Ben", tier="standard"),
        make_customer(first_name="Cleo", tier="gold"),
    )
    kim = User(username="kim", display_name="Kim", role="agent", password_hash="x")
    lee = User(username="lee", display_name="Lee", role="agent", password_hash="x")
    session.add_all([ada, ben, cleo, kim, lee])
    await session.flush()

    _conversation(
        session, "c1", "web", ben.id,
        [
            ("bot", at(2, 14, 59, 50), "Hi! How can I help?", None),
            ("customer", at(2, 15), "how long do refunds take", None),
            ("bot", at(2, 15, 0, 2), "Refunds take 5 days.", None),
            ("customer", at(2, 15, 1), "👍 Yes, thanks", HELPFUL),
            ("bot", at(2, 15, 1, 1), "Glad I could help.", None),
        ],
        csat=5,
    )  # fmt: skip
    _conversation(
        session, "c2", "web", None,
        [
            ("customer", at(2, 16), "do you sell gift cards?", UNANSWERED),
            ("bot", at(2, 16, 0, 4), "I'm sorry, I don't have an answer to that one.", None),
        ],
        failed_turns=1,
    )  # fmt: skip
    _conversation(
        session, "c3", "telegram", ada.id,
        [
            ("customer", at(3, 14), "my skillet arrived cracked", None),
            ("bot", at(3, 14, 0, 1), "I'm sorry to hear that.", None),
            ("agent", at(3, 14, 3, 30), "Kim here, a new one is on its way.", None),
            ("customer", at(3, 15), "the new one is cracked too", None),
            ("agent", at(3, 15, 11, 30), "Lee here, let me refund you.", None),
            ("customer", at(3, 15, 41), "thanks", None),
        ],
        csat=4,
    )  # fmt: skip
    _ticket(
        session, "c3", "complaint", at(3, 14, 0, 30), vip=True,
        agent_id=kim.id, claimed_at=at(3, 14, 2, 30), first_response_at=at(3, 14, 3, 30), resolved_at=at(3, 14, 20, 30),
    )  # fmt: skip
    _ticket(
        session, "c3", "complaint", at(3, 15, 0, 30), vip=True,
        agent_id=lee.id, claimed_at=at(3, 15, 10, 30), first_response_at=at(3, 15, 11, 30), resolved_at=at(3, 15, 40, 30),
    )  # fmt: skip
    _conversation(
        session, "c4", "web", cleo.id,
        [
            ("customer", at(4, 3), "what are your hours", UNANSWERED),
            ("bot", at(4, 3, 0, 3), "I'm sorry, I don't have an answer to that one.", None),
            ("customer", at(4, 3, 1), "a person please", None),
            ("agent", at(4, 13, 6), "Good morning, Kim here.", None),
            ("customer", at(9, 5, 20), "2", {"quick_reply": '/rate{"rating":"2"}'}),  # the rating, days later
        ],
        csat=2,
    )  # fmt: skip
    _ticket(
        session, "c4", "asked_for_agent", at(4, 3, 1),
        agent_id=kim.id, claimed_at=at(4, 13, 5), first_response_at=at(4, 13, 6), resolved_at=at(4, 13, 30),
    )  # fmt: skip
    _conversation(
        session, "c5", "web", None,
        [
            ("customer", at(5, 17), "Do you sell gift cards?", UNANSWERED),
            ("bot", at(5, 17, 0, 2), "Let me find a person for you.", None),
            ("system", at(5, 17, 1), "You're number 1 in line.", None),
        ],
        state="queued",
    )  # fmt: skip
    _ticket(session, "c5", "bot_failed", at(5, 17, 1))
    _conversation(
        session, "c6", "telegram", ben.id,
        [
            ("customer", at(2, 4, 50), "zzz unanswerable", UNANSWERED),
            ("bot", at(2, 4, 50, 5), "I'm sorry, I don't have an answer to that one.", None),
            ("agent", at(2, 13, 2), "Lee here.", None),
        ],
        csat=3,
    )  # fmt: skip
    _ticket(
        session, "c6", "asked_for_agent", at(2, 5, 10),
        agent_id=lee.id, claimed_at=at(2, 13), first_response_at=at(2, 13, 2), resolved_at=at(2, 13, 12),
    )  # fmt: skip
    _conversation(
        session, "c7", "web", ben.id,
        [
            ("customer", at(9, 4, 50), "where is my order", None),
            ("bot", at(9, 4, 50, 6), "It is on its way.", None),
            ("customer", at(9, 5, 45), "and the second one?", None),
            ("bot", at(9, 5, 45, 2), "That one too.", None),
        ],
    )  # fmt: skip
    _conversation(
        session, "c8", "telegram", cleo.id,
        [
            ("customer", at(6, 20), "how do I wash wool", None),
            ("bot", at(6, 20, 0, 5), "Down jackets: wash cold.", None),
            ("customer", at(6, 20, 1), "👎 Not really", NOT_HELPFUL),
            ("bot", at(6, 20, 1, 1), "Maybe one of these is closer?", None),
        ],
    )  # fmt: skip
    _conversation(
        session, "c9", "web", ada.id,
        [
            ("customer", at(7, 15), "do you ship to Canada", None),
            ("bot", at(7, 15, 0, 10), "Yes, in 5-8 days.", None),
            ("customer", at(7, 15, 2), "👍 Yes, thanks", HELPFUL),
        ],
        csat=4,
    )  # fmt: skip
    _conversation(session, "c10", "web", None, [("bot", at(7, 16), "Hi! How can I help?", None)])
    _conversation(
        session, "c11", "web", ben.id,
        [("customer", at(9, 5), "hello", None), ("bot", at(9, 5, 0, 1), "Hi!", None)],
    )  # fmt: skip
    await session.flush()
    return Week(kim_id=kim.id, lee_id=lee.id)


__all__ = ["NOW", "SHOP_ZONE", "Week", "at", "seed_week"]
