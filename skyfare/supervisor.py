"""The parent process of `skyfare up` / `skyfare serve`: starts the children, waits, stops them all.

Children are started with multiprocessing's *spawn* method: each is a fresh interpreter with its own
event loop, nothing inherited from the parent's state (fork after pgserver/threads is not safe).
A child that serves travelers (an API worker, the relay, nginx…) dying stops everything and exits
non-zero, so a broken deployment is loud, and a process manager (systemd, Kubernetes) decides
about restarts. A child spawned with `restart=True` (the analytics consumer) is restarted
instead, with back-off: what it does is behind the travelers' requests, and its failing (a bad
batch, its DuckDB file or Redis away) must not stop the API serving them.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import SpawnProcess
from types import FrameType
from typing import Any

logger = logging.getLogger(__name__)

READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
# A restartable child's first restart waits RESTART_FIRST_S, each next one twice as long, up
# to RESTART_MAX_S; one that ran RESTART_RESET_S before dying starts the series again.
RESTART_FIRST_S = 1.0
RESTART_MAX_S = 60.0
RESTART_RESET_S = 120.0


@dataclass
class _Restartable:
    target: Callable[..., None]
    args: tuple[Any, ...]
    started_at: float
    delay_s: float = 0.0
    due: float | None = None  # dead, to be started again at this time


class Shutdown(Exception):
    """SIGINT or SIGTERM reached the supervisor: stop everything."""


class StartupFailed(RuntimeError):
    """A child died or did not become ready in time."""


class Supervisor:
    """Owns the child processes; `stop_all` leaves none behind (SIGTERM, then SIGKILL)."""

    def __init__(
        self,
        *,
        stop_timeout_s: float = STOP_TIMEOUT_S,
        restart_first_s: float = RESTART_FIRST_S,
        restart_max_s: float = RESTART_MAX_S,
        exit_grace_s: float = STOP_TIMEOUT_S,
    ) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self._stop_timeout_s = stop_timeout_s
        self._exit_grace_s = exit_grace_s
        self._restart_first_s = restart_first_s
        self._restart_max_s = restart_max_s
        self._children: list[SpawnProcess] = []
        self._restartable: dict[str, _Restartable] = {}
        self.restarts = 0

    def ready_pipe(self) -> tuple[Connection, Connection]:
        """(parent end, child end): the child sends one message once it serves.

        A pipe rather than an Event: multiprocessing semaphores need a resource-tracker process,
        which would outlive us for a moment.
        """
        return self._ctx.Pipe(duplex=False)

    def spawn(
        self, name: str, target: Callable[..., None], *args: Any, restart: bool = False
    ) -> SpawnProcess:
        """Start `target(*args)` as child `name`; `restart`: when it dies, start it again (with
        back-off) rather than stop everything."""
        process = self._ctx.Process(target=target, args=args, name=name)
        process.start()
        self._children.append(process)
        if restart:
            self._restartable[name] = _Restartable(target, args, time.monotonic())
        return process

    def wait_ready(self, pipes: list[Connection], ports: list[tuple[str, int]]) -> None:
        """Until every pipe got its message and every (host, port) accepts connections."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        waiting = list(pipes)
        while waiting or not all(_accepts(*hp) for hp in ports):
            waiting = [pipe for pipe in waiting if not self._answered(pipe)]
            self._raise_if_a_child_died()
            if time.monotonic() > deadline:
                raise StartupFailed("children did not become ready in time")
            time.sleep(0.05)

    def _answered(self, pipe: Connection) -> bool:
        """Whether the child sent its message. `poll()` is true at the pipe's end too: a child
        that died before it served closes its end first, and was taken for ready when the
        parent looked before the exit could be seen (`serve` printed its ready line, then
        stopped). Its exit is waited for (`exit_grace_s`), so the failure names it."""
        if not pipe.poll():
            return False
        try:
            pipe.recv()
        except EOFError:
            self._raise_if_a_child_died()
            living = {p.sentinel: p for p in self._children if p.is_alive()}
            for sentinel in wait(list(living), self._exit_grace_s):
                # Its sentinel is closed a moment before the kernel lets it be reaped.
                living[sentinel].join()  # type: ignore[index]
            self._raise_if_a_child_died()
            raise StartupFailed("a child closed its ready pipe without being ready") from None
        return True

    def wait_for_a_child_to_exit(self) -> SpawnProcess:
        """Until a child that is not restartable exits (it is returned); restartable ones that
        die meanwhile are started again, each after its back-off."""
        while True:
            for process in self._children:
                if not process.is_alive() and process.name not in self._restartable:
                    return process
            self._restart_the_dead()
            due = [r.due for r in self._restartable.values() if r.due is not None]
            timeout = max(0.0, min(due) - time.monotonic()) if due else None
            # Every child but those already waiting out a back-off (the timeout is theirs): one
            # that died since `_restart_the_dead` looked must wake this wait at once. Waiting
            # only on the living lost such a death, and the consumer was never started again.
            wait([p.sentinel for p in self._children if not self._backing_off(p)], timeout)

    def _backing_off(self, process: SpawnProcess) -> bool:
        """The one test of "a dead restartable child waiting out its back-off": seen dead by
        `_note_the_dead` (its exit logged, its restart due), and still dead. One that died
        since is not: its exit is news, for the wait loop to wake on and for `stop_all` to
        judge."""
        found = self._restartable.get(process.name)
        return found is not None and found.due is not None and not process.is_alive()

    def _note_the_dead(self, *, stopping: bool = False) -> None:
        """Each restartable child newly found dead: its exit logged, its restart due after its
        back-off (from then on it is `_backing_off`)."""
        now = time.monotonic()
        for process in self._children:
            found = self._restartable.get(process.name)
            if found is None or found.due is not None or process.is_alive():
                continue
            ran_s = now - found.started_at
            found.delay_s = (
                self._restart_first_s
                if ran_s >= RESTART_RESET_S or not found.delay_s
                else min(found.delay_s * 2, self._restart_max_s)
            )
            found.due = now + found.delay_s
            then = (
                "not restarted: stopping" if stopping else f"restarting it in {found.delay_s:.1f} s"
            )
            logger.error("%s exited with code %s: %s", process.name, process.exitcode, then)

    def _restart_the_dead(self) -> None:
        self._note_the_dead()
        now = time.monotonic()
        for process in list(self._children):
            if not self._backing_off(process):
                continue
            found = self._restartable[process.name]
            if found.due is not None and now >= found.due:
                process.join()
                self._children.remove(process)
                replacement = self._ctx.Process(
                    target=found.target, args=found.args, name=process.name
                )
                replacement.start()
                self._children.append(replacement)
                found.started_at, found.due = time.monotonic(), None
                self.restarts += 1

    def stop_all(self) -> bool:
        """SIGTERM every child, SIGKILL those still running after the stop timeout; True when
        every child exited with code 0 (it drained and closed what it held) or was ended by the
        SIGTERM before it had started. A restartable child already dead, waiting out its
        back-off, does not count: its exit was logged and handled when it happened, or is
        now, if it died since the wait loop last looked (it would have been restarted)."""
        self._note_the_dead(stopping=True)
        awaiting_restart = {p for p in self._children if self._backing_off(p)}
        alive = [p for p in self._children if p.is_alive() and p.pid is not None]
        if alive:  # each then says when it begins draining and when done (skyfare/draining.py)
            logger.info("supervisor: stopping %s", ", ".join(p.name for p in alive))
        for process in reversed(alive):
            process.terminate()
        deadline = time.monotonic() + self._stop_timeout_s
        clean = True
        for process in self._children:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                logger.warning("%s did not stop in time: killing it", process.name)
                process.kill()
                process.join()
            # Killed by our SIGTERM itself: the child was still starting (every child handles
            # SIGTERM once it runs), so it served and held nothing. Anything else is unclean.
            if process.exitcode not in (0, -signal.SIGTERM) and process not in awaiting_restart:
                logger.warning("%s exited with code %s", process.name, process.exitcode)
                clean = False
        if alive:
            logger.info("supervisor: stopped")
        return clean

    def _raise_if_a_child_died(self) -> None:
        for process in self._children:
            # A restartable one is started again once everything is up (wait_for_a_child_to_exit).
            if not process.is_alive() and process.name not in self._restartable:
                raise StartupFailed(f"{process.name} exited with code {process.exitcode}")


def raise_on_signals() -> None:
    """SIGINT/SIGTERM raise `Shutdown` in the main thread, interrupting whatever it waits on."""

    def handler(signum: int, frame: FrameType | None) -> None:
        # Further signals while stopping are ignored: stopping finishes, or escalates by itself.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Shutdown(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
