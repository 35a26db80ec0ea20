"""How long training the bot's own model takes from scratch (no Rasa cache), with `deskbot train`'s code path.

python -m bench.train_time [--no-append]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.common import append_results, progress
from handoff.ops import training


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="deskbot-train-") as workdir:
        # A private, empty cache: Rasa would otherwise reuse components trained earlier.
        os.environ["RASA_CACHE_DIRECTORY"] = str(Path(workdir) / "cache")
        started = time.perf_counter()
        model = training.ensure_model(Path(workdir) / "models", progress=progress)
        seconds = time.perf_counter() - started
        size_mb = model.stat().st_size / 2**20
    examples = sum(
        text.count("\n    - ") + text.count("\n      - ")
        for text in (path.read_text() for path in (training.DATA / "nlu").rglob("*.yml"))
    )
    table = (
        "| what | figure |\n|---|---:|\n"
        f"| training from scratch (NLU + dialogue), wall clock | {seconds:.0f} s |\n"
        f"| model size | {size_mb:.1f} MB |\n"
        f"| NLU example lines (English and Chinese) | {examples} |\n"
        "| target (issue 3) | at most 300 s on 2 cores |"
    )
    print(table)
    if not args.no_append:
        append_results("Training the bot's model", "python -m bench.train_time", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
