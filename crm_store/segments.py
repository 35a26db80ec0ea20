"""Customer segments: every definition in this one file.

A customer's figures come from their orders and tickets (``crm_store.repositories.segments`` reads
them); this module turns the figures into buckets and named segments, and knows nothing of SQL.

Orders that count ("kept"): every status but cancelled, returned and refunded — money the customer
took back is not spend, and a cancelled order is not a purchase.

| figure        | bucket        | rule (``now`` is the recomputation's clock)                        |
| ------------- | ------------- | ------------------------------------------------------------------- |
| recency       | ``none``      | no kept order ever                                                  |
|               | ``active``    | last kept order at most 30 days before now (30 days exactly counts) |
|               | ``lapsing``   | more than 30, at most 90 days                                       |
|               | ``lapsed``    | more than 90 days                                                   |
| frequency     | ``none``      | no kept order in the last 365 days                                  |
|               | ``one_time``  | 1 kept order in the last 365 days                                   |
|               | ``repeat``    | 2 to 4                                                              |
|               | ``loyal``     | 5 or more                                                           |
| monetary      | ``none``      | no spend in the last 365 days                                       |
|               | ``low``       | under $100 of kept orders in the last 365 days                      |
|               | ``mid``       | $100 up to (not including) $500                                     |
|               | ``high``      | $500 or more                                                        |

Named segments (a customer may be in several; these names are what ``escalation.yml`` rules,
the agent's CRM panel and the reports use):

| segment       | who                                                                  |
| ------------- | -------------------------------------------------------------------- |
| ``new``       | no kept order ever                                                   |
| ``champion``  | recency active, frequency loyal, monetary high                       |
| ``high_value``| monetary high                                                        |
| ``at_risk``   | lapsing or lapsed, and repeat or loyal over the year before          |
| ``lapsed``    | recency lapsed                                                       |
| ``premium``   | tier gold or vip                                                     |
| ``complaining``| one or more open complaint tickets (queued or assigned)             |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

NOT_KEPT = ("cancelled", "returned", "refunded")
OPEN_TICKET_STATUSES = ("queued", "assigned")
WINDOW = timedelta(days=365)  # frequency and monetary look back this far
ACTIVE_WITHIN = timedelta(days=30)
LAPSING_WITHIN = timedelta(days=90)
REPEAT_FROM, LOYAL_FROM = 2, 5  # kept orders in the window
MID_FROM_CENTS, HIGH_FROM_CENTS = 100_00, 500_00
PREMIUM_TIERS = ("gold", "vip")


@dataclass(frozen=True)
class Figures:
    """What the store knows about one customer, as of ``now``."""

    tier: str
    last_order_at: datetime | None  # the last kept order, ever
    orders_in_window: int
    spend_in_window_cents: int
    open_complaints: int


@dataclass(frozen=True)
class Profile:
    recency: str
    frequency: str
    monetary: str
    segments: tuple[str, ...]


def recency(last_order_at: datetime | None, now: datetime) -> str:
    if last_order_at is None:
        return "none"
    age = now - last_order_at
    if age <= ACTIVE_WITHIN:
        return "active"
    if age <= LAPSING_WITHIN:
        return "lapsing"
    return "lapsed"


def frequency(orders: int) -> str:
    if orders <= 0:
        return "none"
    if orders < REPEAT_FROM:
        return "one_time"
    return "repeat" if orders < LOYAL_FROM else "loyal"


def monetary(cents: int) -> str:
    if cents <= 0:
        return "none"
    if cents < MID_FROM_CENTS:
        return "low"
    return "mid" if cents < HIGH_FROM_CENTS else "high"


_Rule = Callable[[Figures, str, str, str], bool]  # figures, recency, frequency, monetary

# In display order; the names are a public vocabulary (escalation.yml refers to them).
SEGMENTS: dict[str, _Rule] = {
    "new": lambda f, r, fr, m: r == "none",
    "champion": lambda f, r, fr, m: (r, fr, m) == ("active", "loyal", "high"),
    "high_value": lambda f, r, fr, m: m == "high",
    "at_risk": lambda f, r, fr, m: r in ("lapsing", "lapsed") and fr in ("repeat", "loyal"),
    "lapsed": lambda f, r, fr, m: r == "lapsed",
    "premium": lambda f, r, fr, m: f.tier in PREMIUM_TIERS,
    "complaining": lambda f, r, fr, m: f.open_complaints > 0,
}
SEGMENT_NAMES = tuple(SEGMENTS)


def profile(figures: Figures, now: datetime) -> Profile:
    r = recency(figures.last_order_at, now)
    fr = frequency(figures.orders_in_window)
    m = monetary(figures.spend_in_window_cents)
    return Profile(r, fr, m, tuple(name for name, rule in SEGMENTS.items() if rule(figures, r, fr, m)))


__all__ = ["NOT_KEPT", "SEGMENT_NAMES", "WINDOW", "Figures", "Profile", "profile"]
