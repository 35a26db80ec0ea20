"""``deskbot segments recompute``: recompute every customer's segments now (the gateway does it hourly)."""

from __future__ import annotations

import argparse

from crm_store.db import check_connection, create_engine, session_factory
from crm_store.segments import SEGMENT_NAMES
from handoff.desk.segment_schedule import recompute_segments
from handoff.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    segments = commands.add_parser("segments", help="customer segments (defined in crm_store/segments.py)")
    segments.add_subparsers(dest="segments_command", required=True).add_parser(
        "recompute", help="recompute every customer's segments now"
    )


async def run(settings: Settings, args: argparse.Namespace) -> int:
    engine = create_engine(settings.store.database_url)
    try:
        await check_connection(engine, settings.store.database_url)
        result = await recompute_segments(session_factory(engine))
    finally:
        await engine.dispose()
    if result is None:
        print("another process is recomputing the segments right now; nothing done")
        return 0
    print(f"segments recomputed for {result.customers} customers")
    for name in SEGMENT_NAMES:
        print(f"  {name:<12} {result.by_segment.get(name, 0)}")
    return 0


__all__ = ["add_parser", "run"]
