"""Ceiling: cached GET /v1/search against a bare aiohttp handler returning the same bytes.

The alternating-turns wrk measurement itself is `bench.ceiling.measure_ceiling` (the perf
helper's module); this adapter starts the baseline server pinned beside Skyfare on the server
cores, primes the fare cache, and records CPU use and the commands. wrk runs on the load
generator's cores because the harness process is pinned there and wrk inherits it.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench.ceiling import COPIED_HEADERS, measure_ceiling
from bench.harness_stack import Stack, display, free_port
from bench.harness_stack import server_cpu as server_cpu_between
from bench.machine import children_cpu_seconds, pin, tree_cpu_seconds
from bench.report import Ceiling, ToolCpu


def search_url(stack: Stack) -> str:
    date = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
    return f"{stack.url}/v1/search?origin=LHR&destination=JFK&departure_date={date}"


def prime(url: str) -> tuple[bytes, dict[str, str]]:
    """Search until the fare cache answers (X-Cache: HIT); that body and Skyfare's own headers."""
    for _ in range(50):
        with urllib.request.urlopen(url, timeout=10) as response:
            body, headers = response.read(), dict(response.headers)
        if response.status == 200 and headers.get("X-Cache") == "HIT":
            return body, {name: headers[name] for name in COPIED_HEADERS if name in headers}
        time.sleep(0.1)
    raise RuntimeError(f"{url} is never answered from the fare cache")


@contextmanager
def baseline(
    body: bytes,
    headers: dict[str, str],
    workers: int,
    cores: list[int],
    *,
    pinned: bool,
    target: str = "/v1/search",
) -> Iterator[tuple[str, subprocess.Popen[bytes], list[str]]]:
    port = free_port()
    with tempfile.NamedTemporaryFile(prefix="skyfare-bench-", suffix=".json") as body_file:
        body_file.write(body)
        body_file.flush()
        command = pin(
            [
                sys.executable,
                "-m",
                "bench.baseline_server",
                "--body-file",
                body_file.name,
                "--port",
                str(port),
                "--workers",
                str(workers),
                *(f"--header={name}: {value}" for name, value in headers.items()),
            ],
            cores,
            enabled=pinned,
        )
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}{target}"
            _wait_answering(url, proc)
            yield url, proc, command
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_answering(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the baseline server did not answer")


def measure(
    stack: Stack,
    *,
    workers: int,
    turns: int,
    seconds: int,
    connections: int,
    server_cores: list[int],
    loadgen_cores: list[int],
    pinned: bool,
) -> tuple[Ceiling, list[str]]:
    url = search_url(stack)
    body, headers = prime(url)
    # The same request target as Skyfare's, query string included: both parse the same line.
    split = urllib.parse.urlsplit(url)
    target = split.path + ("?" + split.query if split.query else "")
    with baseline(body, headers, workers, server_cores, pinned=pinned, target=target) as (
        base,
        proc,
        cmd,
    ):
        wall, wrk_cpu = time.monotonic(), children_cpu_seconds()
        server_cpu, baseline_cpu = stack.cpu(), tree_cpu_seconds(proc.pid)
        raw = _measure_ceiling(
            url, base, workers=workers, turns=turns, seconds=seconds, connections=connections
        )
        wall = round(time.monotonic() - wall, 2)
        cpu = [
            ToolCpu("wrk (load generator)", round(children_cpu_seconds() - wrk_cpu, 2), wall),
            *server_cpu_between(server_cpu, stack.cpu(), wall),
            ToolCpu(
                "bare aiohttp baseline", round(tree_cpu_seconds(proc.pid) - baseline_cpu, 2), wall
            ),
        ]
    wrk = pin(raw["wrk"].split(), loadgen_cores, enabled=pinned)
    commands = [
        *stack.command,
        f"curl -s -o body.json '{url}'  # until X-Cache: HIT",
        display([*cmd[: cmd.index("--body-file") + 1], "body.json", *cmd[cmd.index("--port") :]]),
        f"# {turns} turns, order flipped every turn, after a {min(seconds, 2)} s warm-up each:",
        display([*wrk, url]),
        display([*wrk, base]),
    ]
    return _ceiling(raw, cpu), commands


def _measure_ceiling(url: str, base: str, **options: int) -> dict[str, Any]:
    """The seam to the perf helper's module (see bench/ceiling.py's docstring for the shape)."""
    return measure_ceiling(url, base, warmup_s=min(options["seconds"], 2), **options)


def _ceiling(raw: dict[str, Any], cpu: list[ToolCpu]) -> Ceiling:
    return Ceiling(
        workers=int(raw["workers"]),
        wrk=str(raw["wrk"]),
        skyfare_rps=[float(x) for x in raw["skyfare_rps"]],
        baseline_rps=[float(x) for x in raw["baseline_rps"]],
        skyfare_median_rps=round(float(raw["skyfare_median_rps"]), 1),
        baseline_median_rps=round(float(raw["baseline_median_rps"]), 1),
        ratio=float(raw["ratio"]),
        target=float(raw["target"]),
        meets_target=bool(raw["meets_target"]),
        non_2xx=int(raw["non_2xx"]),
        response_bytes=int(raw["response_bytes"]),
        cpu=cpu,
    )
