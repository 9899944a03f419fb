"""The processes a benchmark starts: a free port to give one, a process group that runs for
the length of a `with` block, and the PostgreSQL and Redis its own processes share."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from skyfare.embedded import embedded_services
from skyfare.settings import Settings


def free_port() -> int:
    """A port nothing listens on: the kernel's pick, or one of `BENCH_PORTS` ("23000-23099")
    when set, so benchmarks sharing a machine each keep to the ports they were given."""
    span = os.environ.get("BENCH_PORTS")
    if not span:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        return port
    low, _, high = span.partition("-")
    for candidate in range(int(low), int(high or low) + 1):
        if candidate in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
        _handed_out.add(candidate)  # not bound yet by whoever asked: never hand it out twice
        return candidate
    raise RuntimeError(f"no free port in BENCH_PORTS={span}")


_handed_out: set[int] = set()


def wait_listening(
    port: int, *, timeout_s: float = 60.0, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Return once 127.0.0.1:`port` accepts a connection; RuntimeError after `timeout_s`, or at
    once if `proc` (the server's process) has exited."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"the server for port {port} exited") from None
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"nothing listens on port {port} after {timeout_s:g} s"
                ) from None
            time.sleep(0.1)


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


@contextmanager
def shared_servers(base: Mapping[str, str], *, prefix: str) -> Iterator[tuple[Settings, str]]:
    """PostgreSQL and Redis for a benchmark's own processes: `base`'s DATABASE_URL / REDIS_URL,
    else embedded ones under a temporary directory, stopped when the block ends. Yields the
    settings with both URLs set and that directory (the processes' SKYFARE_DATA_DIR)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        configured = Settings(
            data_dir=tmp, database_url=base.get("DATABASE_URL"), redis_url=base.get("REDIS_URL")
        )
        with embedded_services(configured) as settings:
            assert settings.database_url is not None
            assert settings.redis_url is not None
            yield settings, tmp
