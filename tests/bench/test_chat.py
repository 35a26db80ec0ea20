"""The chat benchmark's pure parts: where p95 crosses the limit, its arguments, and the orders it asks about."""

from __future__ import annotations

import argparse
import random
from collections import Counter
from datetime import date, datetime, timezone

import pytest

from actions.orders import IN_FLIGHT
from bench.chat import (
    Crossing,
    PhaseStats,
    Scripts,
    Step,
    crossing,
    demo_orders,
    parse_think,
    parse_users,
    render_saturation,
)
from crm_store.demo_data import generate

TODAY = date(2026, 3, 18)


def test_crossing_interpolates_between_the_last_point_below_and_the_first_above() -> None:
    found = crossing([(5, 80.0), (10, 300.0), (20, 700.0), (40, 2000.0)], limit_ms=500)
    assert found == Crossing(at=20, below=10, estimate=15.0)
    assert found.describe(40) == "at 20 customers (between 10 and 20; about 15 by linear interpolation)"


def test_crossing_not_reached_or_already_at_the_first_point() -> None:
    assert crossing([(5, 80.0), (20, 499.0)]).describe(20) == "not reached up to 20 customers"
    assert crossing([(5, 900.0), (20, 1500.0)]) == Crossing(at=5, below=None, estimate=None)


def test_think_time_and_users_arguments() -> None:
    assert parse_think("1.0-3.0") == (1.0, 3.0)
    assert parse_think("0") == (0.0, 0.0)
    assert parse_users("20,5,5,1") == [1, 5, 20]
    for bad in ("3-1", "-1", "a-b", "1-2-3"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_think(bad)
    for bad in ("0,5", "five", ""):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_users(bad)


def test_order_conversations_use_orders_that_stay_with_the_bot() -> None:
    customers = generate(today=TODAY)
    proofs = demo_orders(customers, datetime(2026, 3, 18, 12, tzinfo=timezone.utc))
    orders = {order.number: (customer, order) for customer in customers for order in customer.orders}
    assert len(proofs) > 100
    for proof in proofs:
        customer, order = orders[proof.number]
        assert customer.tier != "vip", "a VIP is handed to a person after one miss"
        assert not (order.status in IN_FLIGHT and order.promised_date < TODAY), "a late order is handed off"
        assert proof.proof in (customer.email, customer.phone)

    conversation = Scripts(["do you ship to canada"], proofs[:1]).build("order", random.Random(1))
    assert conversation.turns[-3].text == proofs[0].proof
    assert conversation.turns[-3].expect == f"Order {proofs[0].number}"


def _phase(replies: int, seconds: float, cpu_s: dict[str, float]) -> PhaseStats:
    return PhaseStats(latencies=[0.05] * replies, window_s=seconds, cpu_s=Counter(cpu_s))


def test_saturation_reports_the_best_rate_and_the_product_cpu_without_the_load_generator() -> None:
    cpu = {"action server": 0.4, "Rasa server": 1.2, "gateway": 0.8, "load generator": 5.0}
    steps = [
        Step(4, _phase(600, 20, cpu), _phase(800, 20, cpu)),  # 30 and 40 msg/s
        Step(16, _phase(1100, 20, cpu), _phase(900, 20, cpu)),  # 55 and 45 msg/s: the best of each side
    ]
    text = render_saturation(steps)
    assert "| 4 | 30.0 | 50 | 4 | 40.0 |" in text  # (0.4 + 1.2 + 0.8) s over 600 replies: 4 ms a message
    assert "gateway 55.0 msg/s (at 16 customers; target ≥ 50: met), bare Rasa 45.0 msg/s (at 16)" in text
    slower = [Step(16, _phase(900, 20, cpu), _phase(900, 20, cpu))]
    assert "target ≥ 50: missed" in render_saturation(slower)
    assert render_saturation([]) == ""
