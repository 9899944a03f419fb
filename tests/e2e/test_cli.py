"""`skyfare serve` / `skyfare up` as real processes: they start, answer, SIGINT stops it all."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import closed_port

pytestmark = pytest.mark.slow

READY_TIMEOUT_S = 45


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        SKYFARE_PORT=str(closed_port()),
        SKYFARE_SIM_PORT=str(closed_port()),
        # Free ports of their own: the defaults (sim port + 25, API port + 1) may be taken.
        SKYFARE_SIM_SMTP_PORT=str(closed_port()),
        SKYFARE_NOTIFY_METRICS_PORT=str(closed_port()),
        SKYFARE_DATA_DIR=str(data_dir),
        SKYFARE_LOG_LEVEL="WARNING",
    )
    return env


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _still_alive_after(pids: set[int], *, seconds: float) -> list[int]:
    """Those of `pids` still running after `seconds`: multiprocessing's resource tracker only
    notices its parent is gone once the parent exited, so it may take a moment."""
    deadline = time.monotonic() + seconds
    left = [pid for pid in pids if _alive(pid)]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [pid for pid in left if _alive(pid)]
    return left


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    # A bound only a server that never answers reaches: the example search alone may take its
    # 2.5 s deadline, and a busy machine more to answer.
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()


def _start_and_stop(
    data_dir: Path,
    command: list[str],
    *,
    min_children: int = 3,
    log: Path | None = None,
    settings: dict[str, str] | None = None,
    check: Callable[[int], None] | None = None,
) -> str:
    """Start `skyfare <command>`, check it serves, SIGINT it, check nothing is left.

    Its log (warnings and up) goes to `log` when given; `settings` add to its environment, and
    `check` gets its API port once it serves."""
    env = {**_environment(data_dir), **(settings or {})}
    with (log or Path(os.devnull)).open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "skyfare.cli", *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        assert process.stdout is not None
        ready = process.stdout.readline()
        base = f"http://127.0.0.1:{env['SKYFARE_PORT']}"
        assert f"ready on {base}" in ready
        assert "curl -s" in ready
        assert _get(base + "/healthz")[0] == 200
        assert _get(base + "/readyz")[0] == 200  # the embedded PostgreSQL and Redis answer
        if check is not None:
            check(int(env["SKYFARE_PORT"]))
        if command[0] == "up":
            status, body = _get(ready.split('curl -s "')[1].rstrip().rstrip('"'))
            assert status == 200
            assert b'"offers":[{' in body  # the example from the ready line finds flights
            # Then the dev partner key, whose example is a partner endpoint it opens.
            key_line = process.stdout.readline()
            assert key_line.startswith("Partner API key (dev): sk_live_")
            key = key_line.split()[4]
            calendar = key_line.split('"')[1]
            assert _get(calendar, headers={"X-API-Key": key})[0] == 200
        children = _descendants(process.pid)
        assert len(children) >= min_children  # workers, the sim, the embedded redis-server
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        left = _still_alive_after(children, seconds=30)  # waits only while one still runs
        assert not left, [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in left]
        assert not (data_dir / "postgres" / "postmaster.pid").exists()  # embedded PG stopped
        return ready
    finally:
        if process.poll() is None:
            # A failed check: stop it as Ctrl-C does, so it stops what it started (a SIGKILL
            # left its embedded redis-server and workers running after every failure).
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        assert process.stdout is not None
        process.stdout.close()


def _speaks_guarded_http(port: int) -> None:
    """The workers run skyfare.protocol: a silent client is cut off after its head deadline
    (SKYFARE_HEADER_READ_TIMEOUT_S=1 below), and a malformed request gets a problem document."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as silent:
        assert silent.recv(1024) == b""  # closed by the server, long before the 20 s timeout
    with socket.create_connection(("127.0.0.1", port), timeout=20) as bad:
        bad.sendall(b"GET /healthz HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
        answer = b"".join(iter(lambda: bad.recv(4096), b""))
    assert answer.startswith(b"HTTP/1.0 400")
    assert b"Content-Type: application/problem+json" in answer


def test_serve_starts_workers_and_embedded_services_and_sigint_stops_them_all(
    tmp_path: Path,
) -> None:
    _start_and_stop(
        tmp_path / "data",
        ["serve", "--workers", "2"],
        settings={"SKYFARE_HEADER_READ_TIMEOUT_S": "1"},
        check=_speaks_guarded_http,
    )
    # A second run on the same data directory (stale pid and socket files) starts again.
    _start_and_stop(tmp_path / "data", ["serve", "--workers", "2"])


def test_up_starts_the_sim_and_the_api_and_its_curl_example_finds_flights(tmp_path: Path) -> None:
    log = tmp_path / "skyfare.log"
    sim_port = closed_port()
    extra = "https://app.example.test/auth/callback"

    def web_client_may_return_to_the_api(api_port: int) -> None:
        # The sim's identity provider lets the web app's sign-in come back to this API.
        state = json.loads(_get(f"http://127.0.0.1:{sim_port}/_sim/identity")[1])
        assert state["clients"]["skyfare-web"] == [
            f"http://127.0.0.1:{api_port}/auth/callback",
            f"http://localhost:{api_port}/auth/callback",
            "https://127.0.0.1:8443/auth/callback",  # the gateway (`skyfare up --gateway`)
            "https://localhost:8443/auth/callback",
            extra,
        ]

    ready = _start_and_stop(
        tmp_path / "data",
        ["up", "--workers", "1"],
        log=log,
        settings={"SKYFARE_SIM_PORT": str(sim_port), "SKYFARE_SIM_REDIRECT_URIS": extra},
        check=web_client_may_return_to_the_api,
    )
    assert ready.startswith("Skyfare ready on http://127.0.0.1:")
    # The sim listens before the workers start, so every connector learned its route network.
    assert "route network unknown" not in log.read_text()
