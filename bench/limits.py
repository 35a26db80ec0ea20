"""What counting one chat message against the abuse limits costs, as the hour's traffic grows.

    python -m bench.limits [--customers 10,100,1000] [--earlier 10] [--messages 300] [--no-append]

Each of N customers (a connection and a client address of their own) has already sent --earlier
messages within the hour; then --messages more messages are counted, one customer after another, with
the event loop let run between them as it is in the gateway. Both moving-window counters run side by
side on the gateway's default chat rules (handoff.settings): the ``limits`` library's in-memory storage
(what the gateway used before) and the gateway's own (handoff.limit_windows). Figures: milliseconds of
the event loop per message (mean, p95) and the ratio of the two.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from bench.common import append_results, command_line, percentiles_ms, progress
from handoff.limits import Limiter, Rule, parse_rule
from handoff.settings import Settings


def gateway_rules() -> tuple[Rule, Rule]:
    defaults = Settings()
    return (
        Rule("chat-connection", parse_rule("per connection", defaults.chat_messages_per_connection_limit)),
        Rule("chat-address", parse_rule("per address", defaults.chat_messages_per_address_limit)),
    )


def library_limiter() -> Limiter:
    """The gateway's Limiter counting in the library's in-memory storage, as it did before handoff.limit_windows."""
    limiter = Limiter("memory://")
    limiter._storage = storage_from_string("async+memory://")  # noqa: SLF001 - the baseline being measured
    limiter._strategy = MovingWindowRateLimiter(limiter._storage)  # noqa: SLF001
    return limiter


def keys(customer: int) -> tuple[str, str]:
    return f"connection-{customer}", f"10.{customer // 65536 % 256}.{customer // 256 % 256}.{customer % 256}"


TIMED_PER_CUSTOMER = 15  # with 10 earlier messages, inside the default 30 a minute per connection: none refused


async def per_message_seconds(limiter: Limiter, customers: int, earlier: int, messages: int) -> list[float]:
    by_connection, by_address = gateway_rules()
    messages = min(messages, customers * TIMED_PER_CUSTOMER)
    for customer in range(customers):
        connection, address = keys(customer)
        for _ in range(earlier):
            # Without yielding: the library's expiry task does not run here, so filling the hour stays cheap.
            await limiter.take([(by_connection, connection), (by_address, address)], "{wait}")
    await asyncio.sleep(0.01)
    timings = []
    for message in range(messages):
        connection, address = keys(message % customers)
        started = time.perf_counter()
        await limiter.take([(by_connection, connection), (by_address, address)], "{wait}")
        await asyncio.sleep(0)  # what the take scheduled (the library's expiry pass) runs now, as in the gateway
        await asyncio.sleep(0)
        timings.append(time.perf_counter() - started)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench limits", description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", default="10,100,1000", help="comma list of customer counts")
    parser.add_argument("--earlier", type=int, default=10, help="messages each customer sent earlier in the hour")
    parser.add_argument("--messages", type=int, default=300, help="messages timed per counter and customer count")
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args(argv)
    rows = [
        "| customers | messages in the hour | library: mean ms | p95 ms | gateway's own: mean ms | p95 ms | library / own (mean) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for customers in (int(n) for n in args.customers.split(",")):
        progress(f"{customers} customers x {args.earlier} earlier messages: the library's storage, then the gateway's")
        library = asyncio.run(per_message_seconds(library_limiter(), customers, args.earlier, args.messages))
        own = asyncio.run(per_message_seconds(Limiter("memory://"), customers, args.earlier, args.messages))
        theirs, ours = percentiles_ms(library), percentiles_ms(own)
        ratio = (sum(library) / len(library)) / (sum(own) / len(own))
        rows.append(
            f"| {customers} | {customers * args.earlier} | {theirs['mean']:.3f} | {theirs['p95']:.3f} | "
            f"{ours['mean']:.3f} | {ours['p95']:.3f} | {ratio:.0f}x |"
        )
    by_connection, by_address = gateway_rules()
    body = (
        f"- rules: per connection `{';'.join(map(str, by_connection.items))}`, per address "
        f"`{';'.join(map(str, by_address.items))}` (the gateway's defaults); up to {args.messages} messages timed per row "
        f"(at most {TIMED_PER_CUSTOMER} per customer, so none is refused), "
        "event loop time per message (the counting, and the library's expiry pass it schedules)\n\n"
        + "\n".join(rows)
        + "\n"
    )
    print(body)
    if not args.no_append:
        append_results(
            "Counting a chat message against the abuse limits (bench limits)", command_line("bench.limits", argv), body
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
