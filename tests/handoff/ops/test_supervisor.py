"""The supervisor: back-off arithmetic, restart decisions, and a real SIGTERM leaving no process behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from crm_store.settings import PROJECT_ROOT
from handoff.ops.supervisor import Backoff, Supervisor


def test_backoff_doubles_to_its_cap_and_forgets_after_a_healthy_while() -> None:
    backoff = Backoff(initial_s=1, cap_s=8, reset_after_s=60, max_crashes=10)
    backoff.started(0)
    assert [backoff.crashed(1), backoff.crashed(2), backoff.crashed(3), backoff.crashed(4), backoff.crashed(5)] == [
        1,
        2,
        4,
        8,
        8,
    ]
    backoff.started(10)
    assert backoff.crashed(100) == 1, "a part that stayed up a while starts over at the first delay"


def test_a_fast_crash_loop_ends_with_none() -> None:
    backoff = Backoff(max_crashes=3)
    backoff.started(0)
    assert [backoff.crashed(t) for t in (1, 2, 3, 4)] == [1, 2, 4, None]


@dataclass
class FakePart:
    name: str
    code: int | None = None
    starts: int = 0
    answering: bool = True  # False: running but silent, as a deadlocked process

    def start(self) -> None:
        self.starts += 1
        self.code = None
        self.answering = True

    def exit_code(self) -> int | None:
        return self.code

    def healthy(self) -> bool:
        return self.code is None

    def alive(self) -> bool:
        return self.code is None and self.answering

    def kill(self) -> None:
        self.code = -9

    def log_tail(self, lines: int = 12) -> str:
        return "last words"


def test_a_crashed_part_is_restarted_after_its_delay_and_the_gateway_ends_the_run() -> None:
    now = [0.0]
    said: list[str] = []
    actions, gateway = FakePart("action server"), FakePart("gateway")
    supervisor = Supervisor([actions, gateway], progress=said.append, clock=lambda: now[0])
    actions.code = -9
    assert supervisor.check() is None
    assert actions.starts == 0 and any("restarted in 1 s" in line for line in said)
    now[0] = 1.0
    assert supervisor.check() is None
    assert actions.starts == 1 and actions.code is None
    gateway.code = 1
    assert supervisor.check() == 1, "the gateway's death ends the run"


def run_checks(supervisor: Supervisor, now: list[float], until: float, step: float = 1.0) -> list[int | None]:
    codes = []
    while now[0] < until:
        now[0] += step
        codes.append(supervisor.check())
    return codes


def test_a_part_that_stops_answering_is_killed_after_the_hang_time_and_restarted_even_the_gateway() -> None:
    now = [0.0]
    said: list[str] = []
    rasa, gateway = FakePart("Rasa server"), FakePart("gateway")
    supervisor = Supervisor([rasa, gateway], progress=said.append, clock=lambda: now[0], hang_after_s=60)
    run_checks(supervisor, now, until=10)  # both answer: seen alive
    rasa.answering = gateway.answering = False
    assert set(run_checks(supervisor, now, until=65)) == {None}
    assert rasa.code is None and gateway.code is None, "under a minute of silence is a busy part, not a hung one"
    assert set(run_checks(supervisor, now, until=90)) == {None}, "a hung gateway does not end the run"
    assert rasa.starts == 1 and gateway.starts == 1, "both killed and restarted"
    assert rasa.answering and gateway.answering
    assert any("has not answered for 6" in line and "gateway" in line for line in said), said
    gateway.code = 1
    assert supervisor.check() == 1, "a gateway that dies by itself still ends the run"


def test_a_part_still_starting_is_never_taken_for_a_hung_one() -> None:
    now = [0.0]
    rasa = FakePart("Rasa server", answering=False)  # loading its model: never answered yet
    supervisor = Supervisor([rasa], progress=lambda line: None, clock=lambda: now[0], hang_after_s=60)
    assert set(run_checks(supervisor, now, until=600)) == {None}
    assert rasa.code is None and rasa.starts == 0


def test_one_answer_forgets_the_silence_before_it() -> None:
    now = [0.0]
    actions = FakePart("action server")
    supervisor = Supervisor([actions], progress=lambda line: None, clock=lambda: now[0], hang_after_s=60)
    run_checks(supervisor, now, until=5)
    actions.answering = False
    run_checks(supervisor, now, until=50)
    actions.answering = True
    run_checks(supervisor, now, until=56)
    actions.answering = False
    run_checks(supervisor, now, until=110)
    assert actions.code is None and actions.starts == 0, "two silences of under a minute each"


# A service that starts a grandchild in its own process group, and both ignore SIGTERM: only the
# kill after the grace period ends them, and only a signal to the whole group reaches the grandchild.
STUBBORN = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = subprocess.Popen([sys.executable, "-c",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"])
    with open(sys.argv[1], "w") as pids:
        pids.write(f"{os.getpid()} {child.pid}")
    time.sleep(600)
    """
)

LAUNCHER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from handoff.ops.stack import Service, Stack
    folder = Path(sys.argv[1])
    services = [
        Service(name, [sys.executable, "-c", sys.argv[2], str(folder / f"{name}.pids")], "http://127.0.0.1:9/",
                folder / f"{name}.log", {})
        for name in ("action server", "gateway")
    ]
    for service in services:
        service.start()
    print("watching", flush=True)
    sys.exit(Stack(services).watch())
    """
)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _wait(condition, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@contextlib.contextmanager
def launched(tmp_path: Path, service_script: str) -> Iterator[tuple[subprocess.Popen[str], list[int]]]:
    """A launcher watching two services (``service_script`` each), and the pids they wrote; all killed after."""
    launcher = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, str(tmp_path), service_script],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    pids: list[int] = []
    try:
        assert launcher.stdout is not None and launcher.stdout.readline().strip() == "watching"
        pid_files = [tmp_path / "action server.pids", tmp_path / "gateway.pids"]
        _wait(lambda: all(path.exists() and path.read_text() for path in pid_files), timeout=20)
        pids += [int(pid) for path in pid_files for pid in path.read_text().split()]
        assert all(_alive(pid) for pid in pids)
        yield launcher, pids
    finally:
        if launcher.poll() is None:
            launcher.kill()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_sigterm_to_the_launcher_stops_every_process_within_ten_seconds(tmp_path: Path) -> None:
    with launched(tmp_path, STUBBORN) as (launcher, pids):
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=10) == 0, "stopped within 10 s, the kill after the grace period included"
        assert [pid for pid in pids if _alive(pid)] == [], "no child or grandchild is left behind"


# A service as Rasa and the action server are: SIGTERM ends it.
POLITE = textwrap.dedent(
    """
    import os, sys, time
    with open(sys.argv[1], "w") as pids:
        pids.write(str(os.getpid()))
    time.sleep(600)
    """
)


def test_a_launcher_killed_outright_takes_its_services_with_it(tmp_path: Path) -> None:
    with launched(tmp_path, POLITE) as (launcher, pids):
        launcher.kill()  # SIGKILL: no clean-up of its own runs
        launcher.wait(timeout=10)
        _wait(lambda: not any(_alive(pid) for pid in pids), timeout=10)
