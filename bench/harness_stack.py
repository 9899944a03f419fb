"""The stack a benchmark measures, started with the real CLI and always stopped.

`skyfare up --workers N` (embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set,
the sim airlines, the API) with its data directory and ports in a fresh temp dir, so it never
clashes with a developer's `make run` or the tests. Other `SKYFARE_*` variables of the caller are
not passed on: the figures do not depend on whoever ran them. The stack is stopped with SIGINT
(as Ctrl-C would), then SIGKILL if it hangs, on success, failure or Ctrl-C alike.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.machine import (
    cpu_seconds,
    listening_pids,
    move_process,
    pin,
    process_tree,
    tree_cpu_seconds,
)
from bench.processes import free_port
from bench.report import ToolCpu

START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
_PASSED_ON = ("DATABASE_URL", "REDIS_URL")


class CliFailed(subprocess.CalledProcessError):
    """A `skyfare` command that failed, told with the end of its stderr: the harness notes a
    failed step by its exception's repr, and the exit status alone says nothing of why."""

    def __repr__(self) -> str:
        told = (self.stderr or "").strip()[-300:]
        return f"skyfare {self.cmd[1]} exited {self.returncode}: {told or '(no stderr)'}"


@dataclass(frozen=True)
class Stack:
    url: str  # the API, e.g. http://127.0.0.1:41234
    sim_url: str
    port: int
    sim_port: int
    data_dir: Path
    env: dict[str, str]
    pid: int
    command: list[str]  # what started it, with the variables that matter

    @property
    def skyfare(self) -> str:
        return str(Path(sys.executable).with_name("skyfare"))

    def cli(self, *args: str, timeout_s: float = 300.0) -> str:
        """Run `skyfare <args>` against this stack; its stdout. A failure raises
        `CliFailed`, whose repr (what the summary's notes show) ends with its stderr."""
        done = subprocess.run(
            [self.skyfare, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        if done.returncode:
            raise CliFailed(done.returncode, done.args, done.stdout, done.stderr)
        return done.stdout

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of the API workers, the sim, embedded PostgreSQL (when it is
        ours) and everything else `skyfare up` started (its supervisor, embedded Redis)."""
        api = listening_pids(self.port)
        sim = listening_pids(self.sim_port) - api
        figures = {
            "API workers": sum(map(cpu_seconds, api)),
            "sim airlines": sum(map(cpu_seconds, sim)),
        }
        # What is left of `skyfare up`'s tree: its supervisor and embedded Redis.
        figures["the rest: supervisor, notification worker, Redis"] = tree_cpu_seconds(
            self.pid
        ) - sum(figures.values())
        postmaster = postmaster_pid(self.data_dir / "postgres")
        if postmaster is not None and postmaster not in process_tree(self.pid):
            figures["PostgreSQL"] = tree_cpu_seconds(postmaster)  # pg_ctl detached it
        return figures


def cpu_pids(stack: Stack) -> dict[str, list[int]]:
    """The processes whose CPU an order costs: the API workers and (when they are the stack's
    own) the PostgreSQL postmaster, whose backends are its children, and Redis
    (`bench.booking_rate --cpu`)."""
    named = {"api_workers": sorted(listening_pids(stack.port))}
    postmaster = postmaster_pid(stack.data_dir / "postgres")
    if postmaster is not None:
        named["postgresql"] = [postmaster]
    redis = _pid_file(stack.data_dir / "redis/redis.pid")
    if redis is not None:
        named["redis"] = [redis]
    return named


def server_cpu(
    before: Mapping[str, float], after: Mapping[str, float], wall_s: float
) -> list[ToolCpu]:
    """The server side's CPU use between two `Stack.cpu()` readings."""
    return [
        ToolCpu(f"stack: {name}", round(after[name] - before.get(name, 0.0), 2), round(wall_s, 2))
        for name in after
    ]


ROOT = Path(__file__).resolve().parent.parent


def display(command: list[str]) -> str:
    """`command` as a shell line, paths relative to the checkout, `$VARIABLES` left to the shell."""
    line = shlex.join(command).replace(str(ROOT) + "/", "")
    return re.sub(r"'(\$[A-Z_]+)'", r'"\1"', line)


# A benchmark's few tokens hold orders as fast as the service takes them: the traveler limits
# (README "Limits") would measure 409s and 429s, not order creation. Far above any run's needs.
BENCH_TRAVELER_LIMITS = {
    "SKYFARE_ORDER_MAX_OPEN_HOLDS": "1000000",
    "SKYFARE_ORDER_MAX_HELD_SEATS": "1000000",
    "SKYFARE_ORDER_MAX_HELD_SEATS_PER_FLIGHT": "1000000",
    "SKYFARE_TRAVELER_RATE_PER_S": "1000000",
    "SKYFARE_TRAVELER_BURST": "1000000",
}
PORTS = ("SKYFARE_PORT", "SKYFARE_SIM_PORT", "SKYFARE_SIM_SMTP_PORT", "SKYFARE_NOTIFY_METRICS_PORT")


def stack_env(base: Mapping[str, str], data_dir: Path, ports: Mapping[str, int]) -> dict[str, str]:
    """The caller's environment without its `SKYFARE_*` settings, plus the stack's own: its
    data dir and every port it listens on (the SMTP sink's and the notification worker's are
    set too: derived from the other two they might be taken)."""
    env = {k: v for k, v in base.items() if not k.startswith("SKYFARE_")}
    env.update(
        SKYFARE_DATA_DIR=str(data_dir), SKYFARE_HOST="127.0.0.1", SKYFARE_LOG_LEVEL="WARNING"
    )
    env.update(BENCH_TRAVELER_LIMITS)
    env.update({name: str(port) for name, port in ports.items()})
    return env


@contextmanager
def running_stack(
    workers: int,
    cores: list[int],
    *,
    pinned: bool,
    sim_cores: list[int] | None = None,
    settings: Mapping[str, str] | None = None,
    skyfare: str | None = None,
    port_base: int | None = None,
) -> Iterator[Stack]:
    """The stack on `cores`; its sim (the airlines: the outside world, not Skyfare) moved to
    `sim_cores` once it runs, so its work does not count against Skyfare's CPU. `settings`
    (`SKYFARE_*` variables) are what a run compares, e.g. the L1 off. `skyfare`: the CLI of
    another checkout's virtualenv (an A/B run, bench/booking_ab.py); default this one's.
    `port_base`: listen on `port_base` … `port_base + 3` instead of free ports (a shared machine
    where each user has a range of ports)."""
    data_dir = Path(tempfile.mkdtemp(prefix="skyfare-bench-"))
    ports = {
        name: free_port() if port_base is None else port_base + n for n, name in enumerate(PORTS)
    }
    port, sim_port = ports["SKYFARE_PORT"], ports["SKYFARE_SIM_PORT"]
    env = {**stack_env(os.environ, data_dir, ports), **(settings or {})}
    skyfare = skyfare or str(Path(sys.executable).with_name("skyfare"))
    command = pin([skyfare, "up", "--workers", str(workers)], cores, enabled=pinned)
    log = (data_dir / "stack.log").open("wb")
    proc = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a terminal's Ctrl-C reaches the harness, which stops us
    )
    shown = " ".join(f"{k}={env[k]}" for k in (*PORTS, *(settings or {})))
    passed = "".join(f" {k}=…" for k in _PASSED_ON if k in env)
    stack = Stack(
        url=f"http://127.0.0.1:{port}",
        sim_url=f"http://127.0.0.1:{sim_port}",
        port=port,
        sim_port=sim_port,
        data_dir=data_dir,
        env=env,
        pid=proc.pid,
        command=[f"SKYFARE_DATA_DIR=$(mktemp -d) {shown}{passed} " + display(command)],
    )
    moved = pinned and sim_cores is not None and sim_cores != cores
    if moved:
        cpus = ",".join(map(str, sim_cores or []))
        stack.command.append(f"taskset -a -p -c {cpus} <pid of the sim, on :{sim_port}>")
    try:
        _wait_ready(stack, proc, workers)
        if moved:
            for pid in listening_pids(sim_port):
                move_process(pid, sim_cores or [])
        yield stack
    finally:
        _stop(proc, data_dir)
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def _wait_ready(stack: Stack, proc: subprocess.Popen[bytes], workers: int) -> None:
    """Until the API answers ready, the sim lists its airlines and every API worker listens:
    a measurement reads the CPU of the processes listening on the port when it starts, and a
    worker still starting then (a busy machine) would go uncounted."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = (stack.data_dir / "stack.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"skyfare up exited with {proc.returncode}:\n{tail}")
        try:
            if (
                get_json(stack.url + "/readyz") is not None
                and sim_airlines(stack)
                and len(listening_pids(stack.port)) >= workers
            ):
                return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.2)
    tail = (stack.data_dir / "stack.log").read_text(errors="replace")[-2000:]
    raise RuntimeError(f"skyfare up was not ready within {START_TIMEOUT_S:g} s:\n{tail}")


def _stop(proc: subprocess.Popen[bytes], data_dir: Path) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    # A stack that died or was killed leaves its embedded servers (their own sessions) running.
    for pid in (postmaster_pid(data_dir / "postgres"), _pid_file(data_dir / "redis/redis.pid")):
        if pid is not None:
            _terminate(pid)


def _terminate(pid: int) -> None:
    """SIGTERM, then SIGKILL if `pid` is still there after 10 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def _pid_file(path: Path) -> int | None:
    try:
        pid = int(path.read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return pid


def postmaster_pid(pgdata: Path) -> int | None:
    return _pid_file(pgdata / "postmaster.pid")


def get_json(url: str, *, timeout_s: float = 10.0) -> object:
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        return json.load(response)


def send_json(method: str, url: str, body: object, *, timeout_s: float = 10.0) -> object:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def sim_airlines(stack: Stack) -> list[str]:
    """The sim's airline slugs."""
    listing = get_json(stack.sim_url + "/_sim/airlines")
    assert isinstance(listing, dict)
    return [airline["slug"] for airline in listing["airlines"]]


def set_sim_latency(stack: Stack, latencies_ms: Mapping[str, float]) -> None:
    """Each named sim airline answers in exactly its latency (no jitter, no errors, no hangs)."""
    for slug, latency in latencies_ms.items():
        profile = {"latency_ms": latency, "latency_sigma": 0.0, "error_rate": 0.0, "hang_rate": 0.0}
        send_json("PUT", f"{stack.sim_url}/_sim/airlines/{slug}/profile", profile)


def reset_sim(stack: Stack) -> None:
    """Back to the sim's default profiles (realistic, jittered latencies)."""
    send_json("POST", stack.sim_url + "/_sim/reset", None)


def partner_key(stack: Stack) -> str:
    """A partner key with a rate limit no benchmark reaches (the dev key allows 50/s), made
    with `skyfare partners create`; the dev key of `skyfare up` if that fails."""
    name = f"bench-{os.getpid()}-{int(time.time())}"
    try:
        return stack.cli("partners", "create", "--name", name, "--rate", "1000000/s").strip()
    except subprocess.CalledProcessError:
        return (stack.data_dir / "dev-partner-key").read_text().strip()


def redis_url(stack: Stack) -> str:
    """The stack's Redis: REDIS_URL if configured, else its embedded server's socket."""
    if "REDIS_URL" in stack.env:
        return stack.env["REDIS_URL"]
    from skyfare.embedded import EmbeddedRedis  # the running server's socket, not a new one

    return EmbeddedRedis(stack.data_dir / "redis").url
