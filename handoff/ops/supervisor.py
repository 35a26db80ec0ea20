"""Keeping the product up: restart a crashed part with back-off, stop everything on a signal.

The gateway is the product's front door: while it runs, customers are answered or told to wait,
so a crashed action server or Rasa server is restarted (1 s, 2 s, 4 s … capped) instead of
taking the rest down. Only the gateway's death, or a part that keeps crashing fast, ends the run.
With replicas (``deskbot run --replicas N``) nothing is essential: a dead gateway is restarted too,
while nginx sends its customers to the others.

A part that is running but has stopped answering (deadlocked, stuck in a loop, stopped) is no
better than a dead one and never exits by itself: once it has answered its liveness check since
its start, ``hang_after_s`` of unanswered checks get it killed, and then restarted like a crash.
The gateway too: a hung front door is restarted, not left hanging or taken as the end of the run.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

ESSENTIAL = ("gateway",)


class Supervised(Protocol):
    name: str

    def start(self) -> None: ...
    def exit_code(self) -> int | None: ...
    def healthy(self) -> bool: ...
    def alive(self) -> bool: ...
    def kill(self) -> None: ...
    def log_tail(self, lines: int = 12) -> str: ...


@dataclass
class Backoff:
    """Delays between restarts: doubling up to ``cap_s``, forgotten once the part stayed up ``reset_after_s``.

    More than ``max_crashes`` crashes, each within ``reset_after_s`` of its restart, is a crash loop:
    restarting again would only hide a broken part, so the run ends and says so.
    """

    initial_s: float = 1.0
    cap_s: float = 30.0
    reset_after_s: float = 60.0
    max_crashes: int = 8
    crashes: int = 0
    started_at: float = 0.0

    def started(self, now: float) -> None:
        self.started_at = now

    def crashed(self, now: float) -> float | None:
        """The delay before the next start, or None when the part is in a crash loop."""
        if now - self.started_at >= self.reset_after_s:
            self.crashes = 0
        self.crashes += 1
        if self.crashes > self.max_crashes:
            return None
        return min(self.cap_s, self.initial_s * 2 ** (self.crashes - 1))


@dataclass
class _Watched:
    service: Supervised
    backoff: Backoff
    restart_at: float | None = None  # set while the part is down, waiting for its next start
    answered: bool = False  # its liveness check has answered since its last start
    silent_since: float | None = None  # when its liveness check stopped answering
    next_liveness_at: float = 0.0
    killed_hung: bool = False  # the supervisor killed it for hanging: its exit is restarted, gateway included


@dataclass
class Supervisor:
    """One pass of ``check`` per second (from ``Stack.watch`` or a background thread) does all the work."""

    services: list[Any]
    progress: Callable[[str], None] = print
    essential: tuple[str, ...] = ESSENTIAL
    make_backoff: Callable[[], Backoff] = Backoff
    clock: Callable[[], float] = time.monotonic
    hang_after_s: float = 60.0  # long enough that a part busy under load is not mistaken for a hung one
    liveness_every_s: float = 5.0
    _watched: list[_Watched] = field(default_factory=list)

    def __post_init__(self) -> None:
        now = self.clock()
        for service in self.services:
            backoff = self.make_backoff()
            backoff.started(now)
            self._watched.append(_Watched(service, backoff))

    def check(self) -> int | None:
        """Restart what is due; the exit code for the run when it must end, else None."""
        now = self.clock()
        for watched in self._watched:
            service = watched.service
            if watched.restart_at is not None:
                if now >= watched.restart_at:
                    self.progress(f"restarting the {service.name}")
                    service.start()
                    watched.backoff.started(now)
                    watched.restart_at = None
                    watched.answered, watched.silent_since, watched.killed_hung = False, None, False
                continue
            code = service.exit_code()
            if code is None:
                self._check_liveness(watched, now)
                continue
            if watched.killed_hung:
                self.progress(f"the {service.name} was killed for not answering")
            else:
                self.progress(f"{service.name} stopped unexpectedly (exit {code}); last lines of its log:")
                self.progress(service.log_tail())
            if service.name in self.essential and not watched.killed_hung:
                self.progress(f"the {service.name} is essential: stopping everything")
                return 1
            delay = watched.backoff.crashed(now)
            if delay is None:
                self.progress(
                    f"the {service.name} crashed {watched.backoff.crashes} times in a row, each soon after "
                    "starting: stopping everything"
                )
                return 1
            self.progress(
                f"the {service.name} will be restarted in {delay:g} s; the gateway keeps taking messages "
                "and answers them when it is back"
            )
            watched.restart_at = now + delay
        return None

    def _check_liveness(self, watched: _Watched, now: float) -> None:
        if now < watched.next_liveness_at:
            return
        watched.next_liveness_at = now + self.liveness_every_s
        service = watched.service
        if service.alive():
            watched.answered, watched.silent_since = True, None
            return
        if not watched.answered:
            return  # still starting (Rasa loads its model for a minute): not a hang
        if watched.silent_since is None:
            watched.silent_since = now
        elif now - watched.silent_since >= self.hang_after_s:
            self.progress(
                f"the {service.name} is running but has not answered for {now - watched.silent_since:.0f} s: "
                "killing it so it is restarted"
            )
            watched.killed_hung = True
            service.kill()


class StopRequested(BaseException):
    """SIGTERM or SIGINT reached ``deskbot run``: a BaseException so no ``except Exception`` swallows it."""


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into ``StopRequested`` in the main thread; a second signal is ignored.

    Ignoring the second one matters: stopping the children takes a few seconds, and an impatient
    second Ctrl-C must not interrupt the clean-up and leave them running.
    """

    def handler(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise StopRequested(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class BackgroundSupervisor:
    """The supervisor on a thread, for a Stack started inside another program (the tests, the benches)."""

    def __init__(self, supervisor: Supervisor, interval_s: float = 0.5) -> None:
        self.supervisor = supervisor
        self.interval_s = interval_s
        self.exit_code: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="deskbot-supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.exit_code = self.supervisor.check()
            if self.exit_code is not None:
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)


__all__ = ["Backoff", "BackgroundSupervisor", "StopRequested", "Supervisor", "stop_on_signals"]
