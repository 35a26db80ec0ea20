"""Sixty days of support history for the demo shop, so the reports page of a fresh run has something to say.

``generate_history()`` is pure: the same seed and reference day give the same conversations, tickets and
ratings. ``seed_history()`` writes them for customers already seeded by ``crm_store.demo_data``, with a
few colleagues of the demo agent (who cannot sign in) handling the tickets. The desk gets quicker over
the period, so the charts show a team improving, as the service goals ask.

Everything written is finished business: each customer message is marked processed and each reply
delivered, no ticket is left open, so a gateway started on this data has nothing to redo or resend.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store import clock
from crm_store.demo_follow_ups import seed_follow_ups
from crm_store.models import Conversation, Customer, Message, Ticket, User

DEFAULT_DAYS = 60
HISTORY_SEED = 17_2026
# The demo's copy of escalation.yml's hours and first-reply targets: the data need only look like the policy's.
SHOP_ZONE = ZoneInfo("America/New_York")
OPENING = {0: (8, 20), 1: (8, 20), 2: (8, 20), 3: (8, 20), 4: (8, 20), 5: (9, 17)}  # weekday -> (open, close)
SLA_MINUTES = {"vip": 5, "complaint": 10}
DEFAULT_SLA_MINUTES = 15
# Colleagues who worked the queue before the demo began; "!" is no password hash, so no one signs in as them.
COLLEAGUES = (("kim.history", "Kim Okafor", 5), ("lee.history", "Lee Marsh", 4), ("sam.history", "Sam Ruiz", 3))
NO_LOGIN = "!history"

DAY_VOLUME = (34, 30, 29, 28, 26, 18, 12)  # mean conversations a day, Monday first
HOUR_WEIGHTS = (1, 1, 0, 0, 0, 1, 2, 4, 7, 9, 10, 10, 11, 10, 9, 8, 8, 8, 9, 10, 9, 7, 4, 2)  # local hour
QUESTIONS = (
    ("how long do refunds take", "Refunds reach your card 5-7 business days after we receive the return."),
    ("can I return a used pan", "Yes, within 30 days, as long as it is not damaged."),
    ("do you ship to Canada", "Yes: standard shipping to Canada takes 5-8 business days."),
    ("how do I care for cast iron", "Rinse, dry at once and rub in a little oil after each use."),
    ("what is your warranty", "Cookware has a lifetime warranty against manufacturing defects."),
    ("can I change my delivery address", "Yes, until the order ships: tell me the new address."),
    ("where is my order", "Your order is with UPS and due on Thursday."),
    ("do you price match", "We match identical items sold by authorised retailers."),
)
UNANSWERED = (
    "do you sell gift cards",
    "can I pay with bitcoin",
    "do you have a store in Chicago",
    "is there a discount for restaurants",
    "can you engrave my skillet",
    "do you sell replacement handles",
)
REASONS = (("asked_for_agent", 34), ("bot_failed", 22), ("complaint", 26), ("late_order", 18))


@dataclass
class DemoMessage:
    sender: str
    at: datetime
    text: str
    payload: dict[str, object] | None = None
    by_colleague: int | None = None  # index into COLLEAGUES, for agent messages


@dataclass
class DemoTicket:
    reason: str
    created_at: datetime
    sla_due_at: datetime
    colleague: int | None  # index into COLLEAGUES; None when no one took it
    claimed_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None

    @property
    def status(self) -> str:
        return "resolved" if self.resolved_at else "closed"  # closed: the customer left before anyone came


@dataclass
class DemoConversation:
    id: str
    channel: str
    customer: int | None  # index into the seeded customers; None for a visitor who never signed in
    messages: list[DemoMessage] = field(default_factory=list)
    tickets: list[DemoTicket] = field(default_factory=list)
    failed_turns: int = 0
    csat: int | None = None
    closed: bool = False


def _is_open(moment: datetime) -> bool:
    local = moment.astimezone(SHOP_ZONE)
    hours = OPENING.get(local.weekday())
    return hours is not None and hours[0] <= local.hour < hours[1]


def _next_opening(moment: datetime) -> datetime:
    local = moment.astimezone(SHOP_ZONE)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        hours = OPENING.get(day.weekday())
        opening = datetime.combine(day, time(hours[0]), tzinfo=SHOP_ZONE) if hours else None
        if opening is not None and opening > local:
            return opening.astimezone(timezone.utc)
    raise ValueError("the demo shop never opens")


def generate_history(
    customers: int, seed: int = HISTORY_SEED, today: date | None = None, days: int = DEFAULT_DAYS
) -> list[DemoConversation]:
    """Conversations of the ``days`` local days before ``today`` (by the product's clock when not given).

    A conversation that would still be going on at today's midnight (a ticket of Sunday night answered on
    Monday morning) is left out: the history holds only what had happened by then.
    """
    rng = random.Random(seed)
    today = today or clock.now().astimezone(SHOP_ZONE).date()
    until = datetime.combine(today, time(0), tzinfo=SHOP_ZONE)
    history: list[DemoConversation] = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        progress = 1 - back / days  # 0 at the start of the period, nearly 1 at its end
        count = max(0, round(rng.gauss(DAY_VOLUME[day.weekday()], 4)))
        for index in range(count):
            hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
            local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=SHOP_ZONE)
            known = rng.random() < 0.65
            conversation = DemoConversation(
                id=f"history-{day.isoformat()}-{index:03d}",
                channel="telegram" if rng.random() < 0.3 else "web",
                customer=rng.randrange(customers) if known and customers else None,
            )
            _play(rng, conversation, local.astimezone(timezone.utc), progress)
            if _last_event(conversation) < until:
                history.append(conversation)
    return history


def _last_event(conversation: DemoConversation) -> datetime:
    moments = [message.at for message in conversation.messages]
    for ticket in conversation.tickets:
        moments += [m for m in (ticket.sla_due_at, ticket.resolved_at) if m is not None]
    return max(moments)


def _bot_turn(rng: random.Random, conversation: DemoConversation, at: datetime, question: str, answer: str) -> datetime:
    conversation.messages.append(DemoMessage("customer", at, question))
    replied = at + timedelta(seconds=rng.uniform(0.6, 3.5))
    conversation.messages.append(DemoMessage("bot", replied, answer))
    return replied


def _play(rng: random.Random, conversation: DemoConversation, start: datetime, progress: float) -> None:
    roll = rng.random()
    escalate_share = 0.30 - 0.08 * progress  # the bot learns: fewer escalations as the weeks pass
    if roll < escalate_share:
        _escalated(rng, conversation, start, progress)
    elif roll < escalate_share + 0.09:
        _gave_up(rng, conversation, start)
    else:
        _contained(rng, conversation, start)


def _contained(rng: random.Random, conversation: DemoConversation, start: datetime) -> None:
    question, answer = rng.choice(QUESTIONS)
    at = _bot_turn(rng, conversation, start, question, answer)
    if rng.random() < 0.7:
        verdict = "/helpful" if rng.random() < 0.88 else "/not_helpful"
        at += timedelta(seconds=rng.uniform(5, 60))
        label = "👍 Yes, thanks" if verdict == "/helpful" else "👎 Not really"
        conversation.messages.append(DemoMessage("customer", at, label, {"quick_reply": verdict}))
        if verdict == "/not_helpful":
            # The next-best article did it.
            conversation.messages.append(DemoMessage("bot", at + timedelta(seconds=1), "Maybe one of these is closer?"))
            at += timedelta(seconds=40)
            conversation.messages.append(DemoMessage("customer", at, "👍 Yes, thanks", {"quick_reply": "/helpful"}))
    if rng.random() < 0.4:
        conversation.csat = rng.choices((5, 4, 3, 2, 1), (55, 30, 9, 4, 2))[0]


def _gave_up(rng: random.Random, conversation: DemoConversation, start: datetime) -> None:
    if rng.random() < 0.7:
        question = rng.choices(UNANSWERED, (30, 20, 15, 15, 10, 10))[0]
        conversation.messages.append(DemoMessage("customer", start, question, {"unanswered": True}))
        conversation.messages.append(
            DemoMessage(
                "bot", start + timedelta(seconds=rng.uniform(0.8, 3)), "I'm sorry, I don't have an answer to that one."
            )
        )
        conversation.failed_turns = 1
    else:
        question, answer = rng.choice(QUESTIONS)
        at = _bot_turn(rng, conversation, start, question, answer)
        conversation.messages.append(
            DemoMessage("customer", at + timedelta(seconds=20), "👎 Not really", {"quick_reply": "/not_helpful"})
        )
        conversation.messages.append(DemoMessage("bot", at + timedelta(seconds=21), "Sorry about that."))


def _escalated(rng: random.Random, conversation: DemoConversation, start: datetime, progress: float) -> None:
    reason = rng.choices([r for r, _ in REASONS], [w for _, w in REASONS])[0]
    if reason == "bot_failed":
        question = rng.choices(UNANSWERED, (30, 20, 15, 15, 10, 10))[0]
        conversation.messages.append(DemoMessage("customer", start, question, {"unanswered": True}))
        at = start + timedelta(seconds=rng.uniform(0.8, 3))
        conversation.messages.append(DemoMessage("bot", at, "Let me find a person for you."))
    else:
        opening = {"complaint": "my skillet arrived cracked", "late_order": "my order is late"}
        at = _bot_turn(rng, conversation, start, opening.get(reason, "I'd like to talk to a person"), "One moment.")
    vip = conversation.customer is not None and rng.random() < 0.06
    created = at + timedelta(seconds=5)
    minutes = SLA_MINUTES["vip"] if vip else SLA_MINUTES.get(reason, DEFAULT_SLA_MINUTES)
    ticket = _ticket(rng, reason, created, minutes, progress)
    conversation.tickets.append(ticket)
    if ticket.first_response_at is None:
        conversation.closed = True
        return
    conversation.messages.append(
        DemoMessage("agent", ticket.first_response_at, "Hi, I'm looking into this now.", by_colleague=ticket.colleague)
    )
    assert ticket.resolved_at is not None
    if reason == "complaint" and rng.random() < 0.12:
        # Came back: the fix did not hold, and the same conversation is escalated again.
        back = ticket.resolved_at + timedelta(hours=rng.uniform(2, 30))
        conversation.messages.append(DemoMessage("customer", back, "it happened again"))
        again = _ticket(rng, reason, back + timedelta(seconds=4), minutes, progress)
        conversation.tickets.append(again)
        if again.first_response_at is not None:
            conversation.messages.append(
                DemoMessage("agent", again.first_response_at, "Sorry to hear that.", by_colleague=again.colleague)
            )
    if rng.random() < 0.5:
        waited = (ticket.first_response_at - ticket.created_at).total_seconds() / 60
        weights = (45, 30, 12, 8, 5) if waited < 15 else (15, 25, 25, 20, 15)
        conversation.csat = rng.choices((5, 4, 3, 2, 1), weights)[0]


def _ticket(rng: random.Random, reason: str, created: datetime, sla_minutes: int, progress: float) -> DemoTicket:
    due = created + timedelta(minutes=sla_minutes)
    if rng.random() < 0.05:  # the customer gave up waiting
        return DemoTicket(reason, created, due, None, None, None, None)
    colleague = rng.choices(range(len(COLLEAGUES)), [weight for *_, weight in COLLEAGUES])[0]
    mean_wait = 7.0 - 4.0 * progress  # minutes: the first reply gets faster over the period
    start = created if _is_open(created) else _next_opening(created)
    replied = start + timedelta(minutes=rng.expovariate(1 / mean_wait) + 0.3)
    claimed = replied - timedelta(seconds=rng.uniform(20, 90))
    resolved = replied + timedelta(minutes=rng.uniform(4, 28))
    return DemoTicket(reason, created, due, colleague, max(claimed, created), replied, resolved)


async def seed_history(session: AsyncSession, emails: Sequence[str], history: list[DemoConversation]) -> int:
    """Write the history; ``emails`` are the seeded customers' in generation order. Returns the conversations added."""
    ids = dict((await session.execute(select(Customer.email, Customer.id).where(Customer.email.in_(emails)))).all())
    customer_ids = [ids.get(email) for email in emails]
    colleagues = []
    for username, name, _ in COLLEAGUES:
        user = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
        if user is None:
            user = User(username=username, display_name=name, role="agent", password_hash=NO_LOGIN)
            session.add(user)
        colleagues.append(user)
    await session.flush()
    for demo in history:
        ended = demo.messages[-1].at
        session.add(
            Conversation(
                id=demo.id,
                channel=demo.channel,
                customer_id=customer_ids[demo.customer] if demo.customer is not None else None,
                state="closed" if demo.closed else "bot",
                started_at=demo.messages[0].at,
                last_message_at=ended,
                ended_at=ended if demo.closed else None,
                failed_turns=demo.failed_turns,
                csat=demo.csat,
            )
        )
        session.add_all(
            Message(
                conversation_id=demo.id,
                sender=message.sender,
                sender_user_id=colleagues[message.by_colleague].id if message.by_colleague is not None else None,
                text=message.text,
                payload=message.payload,
                channel=demo.channel,
                created_at=message.at,
                processed_at=message.at if message.sender == "customer" else None,
                delivered_at=message.at if message.sender != "customer" else None,
            )
            for message in demo.messages
        )
        session.add_all(
            Ticket(
                conversation_id=demo.id,
                customer_id=customer_ids[demo.customer] if demo.customer is not None else None,
                reason=ticket.reason,
                priority=0,
                status=ticket.status,
                agent_id=colleagues[ticket.colleague].id if ticket.colleague is not None else None,
                context={"reason": ticket.reason, "summary": "From the demo history."},
                created_at=ticket.created_at,
                sla_due_at=ticket.sla_due_at,
                claimed_at=ticket.claimed_at,
                first_response_at=ticket.first_response_at,
                resolved_at=ticket.resolved_at,
                resolution="Sorted out with the customer." if ticket.resolved_at else None,
            )
            for ticket in demo.tickets
        )
    await session.flush()
    if history:  # each resolved complaint asked later whether it is sorted, up to the history's last moment
        await seed_follow_ups(session, max(_last_event(demo) for demo in history))
    return len(history)


__all__ = ["DEFAULT_DAYS", "HISTORY_SEED", "DemoConversation", "generate_history", "seed_history"]
