"""CPU seconds spent by each of the product's processes (and by the load generator) over a window.

Read from /proc: user plus system time of every process in a service's process group (Rasa and
the action server may start workers of their own), so the figure per message is what each part
costs, whatever the machine's other load. The load generator (this process) is measured apart,
so its own CPU is reported, not hidden in the product's.

``--profile`` also records a py-spy flame graph of each process over the same window. py-spy pauses
the process for each sample (97 a second): its non-blocking mode cannot tell an idle thread from a
busy one, and the product's idle worker threads would fill the graph.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(group_id: int) -> float:
    """User + system CPU seconds of every live process whose process group is ``group_id``."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue  # ended while being read
        # After the ")" ending the name: state is field 0, pgrp field 2, utime 11, stime 12.
        if int(fields[2]) == group_id:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS_PER_S


def _leaders(group: int | tuple[int, ...]) -> tuple[int, ...]:
    return group if isinstance(group, tuple) else (group,)


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


@dataclass
class CpuMeter:
    """CPU seconds per part between ``start`` and ``stop``; py-spy flame graphs of the window when asked."""

    groups: Mapping[str, int | tuple[int, ...]]  # part name -> process group id(s): one per replica of the part
    profile_dir: Path | None = None
    profile_s: float = 0.0
    spent: dict[str, float] = field(default_factory=dict)
    _before: dict[str, float] = field(default_factory=dict)
    _profilers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def _read(self) -> dict[str, float]:
        readings = {name: sum(map(group_cpu_seconds, _leaders(group))) for name, group in self.groups.items()}
        readings["load generator"] = own_cpu_seconds()
        return readings

    def start(self) -> None:
        self._before = self._read()
        if self.profile_dir is not None:
            self._start_profilers()

    def stop(self) -> None:
        after = self._read()
        self.spent = {name: after[name] - self._before[name] for name in after}
        for profiler in self._profilers:
            profiler.wait(timeout=self.profile_s + 60)
        self._profilers.clear()

    def _start_profilers(self) -> None:
        assert self.profile_dir is not None
        py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        for name, group in self.groups.items():
            pid = _leaders(group)[0]  # one replica's graph stands for the others
            output = self.profile_dir / f"{name.replace(' ', '-')}.svg"
            self._profilers.append(
                subprocess.Popen(
                    [
                        py_spy,
                        "record",
                        "--pid",
                        str(pid),
                        "--duration",
                        str(round(self.profile_s)),
                        "--rate",
                        "97",
                        "--subprocesses",
                        "--format",
                        "flamegraph",
                        "--output",
                        str(output),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
