"""`skyfare serve`'s supervisor waiting for its API workers: a worker that ends without being
ready fails the start. Before, the end of its ready pipe counted as its message, so a worker
that died at start-up (a bad REDIS_URL) was taken for ready when the parent looked before the
exit could be seen: the ready line was printed, then everything stopped with exit 1."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection

import pytest

from skyfare.supervisor import StartupFailed, Supervisor


def close_then_linger(ready: Connection) -> None:
    """A worker in the instant between closing its pipe and exiting, made to last."""
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    ready.close()
    while True:
        time.sleep(1)


def fail_before_ready(ready: Connection) -> None:
    raise SystemExit(3)


def send_ready(ready: Connection) -> None:
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    ready.send(True)
    ready.close()
    while True:
        time.sleep(1)


@contextlib.contextmanager
def _one_worker(target: object, **options: float) -> Iterator[tuple[Supervisor, Connection]]:
    """A supervisor of one API worker running `target`, and the worker's ready pipe."""
    supervisor = Supervisor(stop_timeout_s=10.0, **options)
    parent_end, child_end = supervisor.ready_pipe()
    try:
        supervisor.spawn("api-worker-0", target, child_end)  # type: ignore[arg-type]
        child_end.close()
        yield supervisor, parent_end
    finally:
        supervisor.stop_all()


def test_a_worker_that_closed_its_ready_pipe_unready_fails_the_start() -> None:
    with (
        _one_worker(close_then_linger, exit_grace_s=0.0) as (supervisor, pipe),
        pytest.raises(StartupFailed, match="without being ready"),
    ):
        supervisor.wait_ready([pipe], [])


def test_a_worker_that_died_before_ready_is_named_with_its_exit_code() -> None:
    with (
        _one_worker(fail_before_ready) as (supervisor, pipe),
        pytest.raises(StartupFailed, match="api-worker-0 exited with code 3"),
    ):
        supervisor.wait_ready([pipe], [])


def test_a_worker_that_sent_its_message_is_ready() -> None:
    with _one_worker(send_ready) as (supervisor, pipe):
        supervisor.wait_ready([pipe], [])
