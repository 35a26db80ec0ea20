"""CPU per process group, read from /proc: a busy child in the group counts, another group does not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from bench.cluster import process_groups
from bench.process_cpu import CpuMeter, group_cpu_seconds
from handoff.ops.stack import Service

# A group leader whose child, once told "go" (on the stdin they share), burns 0.5 s of its own CPU time.
BURNER = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c",
    "import sys, time\\nsys.stdin.readline()\\nstart = time.process_time()\\n"
    "while time.process_time() - start < 0.5: pass\\nprint('done', flush=True)\\ntime.sleep(60)"],
    stdout=subprocess.PIPE, text=True)
print(child.stdout.readline().strip(), flush=True)
time.sleep(60)
"""


def test_a_busy_child_counts_towards_its_group_and_nothing_else_does() -> None:
    leader = subprocess.Popen(
        [sys.executable, "-c", BURNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        meter = CpuMeter({"busy": leader.pid, "idle": idle.pid})
        meter.start()
        assert leader.stdin is not None
        leader.stdin.write("go\n")
        leader.stdin.flush()
        assert leader.stdout is not None and leader.stdout.readline().strip() == "done"
        meter.stop()
        assert meter.spent["busy"] >= 0.45, meter.spent  # the child's 0.5 s of CPU, read from its own group
        assert meter.spent["idle"] < 0.2, meter.spent
        assert set(meter.spent) == {"busy", "idle", "load generator"}
        assert group_cpu_seconds(leader.pid) >= meter.spent["busy"]
    finally:
        for process in (leader, idle):
            process.kill()
            process.wait()


def test_replicas_of_a_part_are_counted_together() -> None:
    leader = subprocess.Popen(
        [sys.executable, "-c", BURNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        meter = CpuMeter({"gateway": (idle.pid, leader.pid)})
        meter.start()
        assert leader.stdin is not None and leader.stdout is not None
        leader.stdin.write("go\n")
        leader.stdin.flush()
        assert leader.stdout.readline().strip() == "done"
        meter.stop()
        assert meter.spent["gateway"] >= 0.45, "the busy replica's CPU is the part's"
    finally:
        for process in (leader, idle):
            process.kill()
            process.wait()


def test_replicas_are_grouped_by_part_name() -> None:
    def service(name: str, pid: int) -> Service:
        running = Service(name, [], "", Path("/dev/null"), {})
        running.process = SimpleNamespace(pid=pid)  # type: ignore[assignment]
        return running

    services = [service("gateway 1", 11), service("gateway 2", 12), service("Rasa server 1", 21), service("nginx", 31)]
    assert process_groups(services) == {"gateway": (11, 12), "Rasa server": (21,), "nginx": (31,)}
    assert process_groups([service("action server", 41)]) == {"action server": (41,)}
