"""`deskbot run` as an operator starts it: SIGTERM stops it and every process it started, leaving none behind."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from crm_store.settings import ENV_VAR_DIR
from handoff.ops.launch import free_port

START_BOUND_S = 600  # generous: a loaded CI machine; the test waits for the "Stop with Ctrl-C." line, not a time
STOP_BOUND_S = 60


def _processes_marked(marker: str) -> list[int]:
    """Live processes whose environment carries the marker (the launcher passes its environment on)."""
    pids = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker.encode() in environ.read_bytes():
                pids.append(int(environ.parent.name))
        except OSError:
            continue
    return [pid for pid in pids if _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_sigterm_to_deskbot_run_leaves_no_process_behind(tmp_path: Path, trained_model: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    (var / "models").symlink_to(trained_model.parent, target_is_directory=True)  # no training here
    marker = f"DESKBOT_TEST_RUN={uuid.uuid4().hex}"
    env = {key: value for key, value in os.environ.items() if key not in ("RASA_TOKEN", "INTERNAL_SECRET")}
    env.update(
        {
            ENV_VAR_DIR: str(var),
            "GATEWAY_PORT": str(free_port()),
            "RASA_PORT": str(free_port()),
            "ACTIONS_PORT": str(free_port()),
            "RASA_TELEMETRY_ENABLED": "false",
            marker.split("=")[0]: marker.split("=")[1],
        }
    )
    deskbot = str(Path(sys.executable).with_name("deskbot"))
    subprocess.run([deskbot, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=300)
    launcher = subprocess.Popen(
        [deskbot, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in launcher.stdout or ()], daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + START_BOUND_S
        while not any("Stop with Ctrl-C" in line for line in seen):
            assert launcher.poll() is None, "deskbot run stopped while starting:\n" + "".join(seen)
            assert time.monotonic() < deadline, "deskbot run did not start:\n" + "".join(seen)
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                continue
        started = _processes_marked(marker)
        assert len(started) >= 4, f"the launcher and its three services: {started}"

        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=STOP_BOUND_S)
        deadline = time.monotonic() + STOP_BOUND_S
        while _processes_marked(marker):
            assert time.monotonic() < deadline, f"left behind: {_processes_marked(marker)}"
            time.sleep(0.2)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
        for pid in _processes_marked(marker):
            os.kill(pid, signal.SIGKILL)
