"""The processes a benchmark starts: a free port to give one, and a process group that runs for
the length of a `with` block."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def process_group(
    args: list[str],
    env: Mapping[str, str] | None = None,
    *,
    cwd: Path | None = None,
    stop: signal.Signals = signal.SIGINT,
    stop_timeout_s: float = 20.0,
    quiet: bool = False,
) -> Iterator[subprocess.Popen[bytes]]:
    """`args` in a session of its own (no stdin, no stdout; no stderr either when `quiet`). At
    the end `stop` goes to the whole group, since `skyfare` forks its workers and sim; what has
    not exited `stop_timeout_s` later is killed."""
    proc = subprocess.Popen(
        args, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if quiet else None, start_new_session=True,
    )  # fmt: skip
    try:
        yield proc
    finally:
        os.killpg(proc.pid, stop)
        try:
            proc.wait(timeout=stop_timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
