"""What a message costs Rasa as one conversation grows long.

    python -m bench.long_chat [--turns 200] [--block 25] [--no-append]

One customer keeps one conversation going through bare Rasa (its webhook, signed as the gateway
signs it): greetings, knowledge-base questions and thanks in turn, one message after the reply to
the last. Per block of --block turns: Rasa's CPU milliseconds per message (its process group, from
/proc) and the reply time. A cost that grows with the turn number is work Rasa does over the whole
conversation for every message. Run it in two checkouts (PYTHONPATH set to each) to compare them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.chat import RasaChat, Turn, TurnFailed, running_product
from bench.cluster import process_groups
from bench.common import append_results, command_line, progress
from bench.process_cpu import group_cpu_seconds

MESSAGES = ("hello", "what is your returns policy", "how long does shipping take", "thanks", "do you ship abroad", "ok")


async def measure(
    rasa_url: str, secret: str, rasa_group: int, turns: int, block: int
) -> list[tuple[int, float, float]]:
    """(last turn of the block, Rasa CPU ms per message, reply ms per message) per block."""
    rows = []
    async with aiohttp.ClientSession() as http:
        chat = RasaChat(http, rasa_url, secret)
        await chat.open()
        for first in range(0, turns, block):
            cpu_before, started = group_cpu_seconds(rasa_group), time.perf_counter()
            for turn in range(first, first + block):
                text = MESSAGES[turn % len(MESSAGES)]
                try:
                    await chat.send(Turn(text), timeout=30)
                except TurnFailed as error:
                    raise SystemExit(f"turn {turn + 1} ({text!r}): {error}") from None
            cpu_ms = 1000 * (group_cpu_seconds(rasa_group) - cpu_before) / block
            reply_ms = 1000 * (time.perf_counter() - started) / block
            rows.append((first + block, cpu_ms, reply_ms))
            progress(f"turns {first + 1}-{first + block}: Rasa {cpu_ms:.0f} CPU ms a message, reply {reply_ms:.0f} ms")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench long-chat", description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--block", type=int, default=25)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args(argv)
    if args.turns < args.block or args.block < 1:
        parser.error("--turns must be at least --block, which must be positive")
    settings = argparse.Namespace(replicas=0)
    with (
        tempfile.TemporaryDirectory(prefix="deskbot-bench-long-chat-") as var_dir,
        running_product(Path(var_dir), settings) as (stack, product),
    ):
        rasa_group = process_groups(stack.services)["Rasa server"]
        rows = asyncio.run(
            measure(product.settings.rasa_url, product.settings.internal_secret, rasa_group[0], args.turns, args.block)
        )
    lines = ["| turns | Rasa CPU ms per message | reply ms per message |", "|---:|---:|---:|"]
    lines += [f"| {last - args.block + 1}-{last} | {cpu:.1f} | {reply:.0f} |" for last, cpu, reply in rows]
    body = (
        "One conversation through bare Rasa's webhook, one message after the reply to the last: "
        f"{', '.join(repr(m) for m in MESSAGES)} in turn.\n\n" + "\n".join(lines) + "\n"
    )
    print(body)
    if not args.no_append:
        append_results(
            "Rasa's cost per message as a conversation grows (bench long-chat)",
            command_line("bench.long_chat", argv),
            body,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
