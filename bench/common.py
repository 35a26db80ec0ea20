"""What every benchmark shares: timing statistics, memory, progress, and appending to BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
import re
import resource
import shlex
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import numpy as np

from knowledge_base.article_files import ArticleData

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"


def progress(message: str) -> None:
    print(f"[{datetime.now(timezone.utc):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def percentiles_ms(seconds: list[float]) -> dict[str, float]:
    values = np.asarray(seconds) * 1000
    return {
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "p99": float(np.percentile(values, 99)),
        "mean": float(values.mean()),
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory_gb:.0f} GiB RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True)
        return sha.stdout.strip() + ("+uncommitted" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def command_line(module: str, argv: Sequence[str] | None = None) -> str:
    """The command that ran, as one would type it again (``argv`` defaults to this process's arguments)."""
    arguments = sys.argv[1:] if argv is None else argv
    return " ".join(["python", "-m", module, *(shlex.quote(argument) for argument in arguments)])


def append_results(title: str, command: str, body: str) -> None:
    """Append one dated section to BENCHMARKS.md: what ran, where, on which commit, and the figures."""
    section = (
        f"\n### {title} — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n\n"
        f"- command: `{command}`\n- commit: `{commit()}`\n- machine: {machine()}\n\n{body.rstrip()}\n"
    )
    if not BENCHMARKS_MD.exists():
        BENCHMARKS_MD.write_text("# Benchmarks\n\nFigures appended by the scripts in `bench/`; newest last.\n")
    with BENCHMARKS_MD.open("a", encoding="utf-8") as handle:
        handle.write(section)


def variant_fold(
    articles: Sequence[ArticleData], folds: int, fold: int
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Each article's question variants dealt into ``folds``: (the fold's variants, the rest), by slug."""
    held = {a.slug: tuple(q for i, q in enumerate(a.questions) if i % folds == fold) for a in articles}
    kept = {a.slug: tuple(q for q in a.questions if q not in held[a.slug]) for a in articles}
    return held, kept


async def console_sign_in(http: aiohttp.ClientSession, base_url: str, username: str, password: str, home: str) -> str:
    """Sign a staff member in through the login form (its CSRF cookie first) and return ``home``'s CSRF token."""
    async with http.get(f"{base_url}/console/login") as page:
        token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    data = {"username": username, "password": password, "csrf_token": token.group(1)}
    async with http.post(f"{base_url}/console/login", data=data, allow_redirects=False) as response:
        if response.status != 302:
            raise RuntimeError(f"{username} could not sign in: HTTP {response.status}")
    async with http.get(f"{base_url}{home}") as page:
        found = re.search(r'name="csrf-token" content="([^"]+)"', await page.text())
    if found is None:
        raise RuntimeError(f"no CSRF token on {home}")
    return found.group(1)
