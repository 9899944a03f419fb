"""Ceiling: cached `/v1/search` against a bare aiohttp handler returning the same bytes.

Issue 18's rows, measured in the same alternating turns (`bench.ceilings`): cached GET with one
worker, cached POST (JSON body) with one worker, and cached GET on a second stack of two workers
spread over every core, each beside a bare handler (`bench.baseline_server`) with the same
process count on the same cores, serving the body and every header Skyfare sends. This adapter
starts the baselines and the second stack, primes the fare caches, and records CPU use and the
commands. wrk runs on the load generator's cores because the harness process is pinned there
and wrk inherits it (with 2 workers the server shares that core with wrk, as the issue asks).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from bench import ceilings
from bench.ceiling import COPIED_HEADERS
from bench.harness_stack import Stack, display, running_stack
from bench.harness_stack import server_cpu as server_cpu_between
from bench.machine import children_cpu_seconds, pin, tree_cpu_seconds
from bench.placement import dependencies_on, dependency_pids
from bench.processes import free_port
from bench.report import Ceiling, Ceilings, ToolCpu


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
            # The whole group: with --workers 2 the baseline forks a child the parent's
            # SIGTERM alone would leave serving.
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
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


def prime_post(url: str, body: bytes) -> None:
    """POST `body` until the fare cache answers it (X-Cache: HIT)."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    for _ in range(50):
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            if response.status == 200 and response.headers.get("X-Cache") == "HIT":
                return
        time.sleep(0.1)
    raise RuntimeError(f"POST {url} is never answered from the fare cache")


def post_body(url: str) -> bytes:
    """The JSON body of the same one-way search as the GET `url`'s query."""
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    return json.dumps({"slices": [query]}, separators=(",", ":")).encode()


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
    two_workers: bool = True,
    dependencies_apart: bool = True,
) -> tuple[tuple[Ceiling, Ceilings], list[str]]:
    """Issue 18's ceiling rows: cached GET with `workers` (1), cached POST, and (`two_workers`)
    cached GET on a second stack of 2 workers over every core, each beside a bare handler with
    the same process count and cores; wrk stays on the load generator's cores throughout.
    `dependencies_apart` (when pinned): each stack's dependencies (PostgreSQL, Redis, the
    notification worker, the analytics consumer, the supervisor) on the load generator's cores
    like the sim, so the API workers have the server cores to themselves as the bare handler
    does (`bench.placement`); False: everything of the stack on the server cores, as before.
    The 2-worker stack runs on every core either way: no core is left for its dependencies
    alone, and crowding them onto wrk's core took its requests/s from 2.0x to 0.6x of one
    worker's (bench/results/2026-12-04-cached-search.md)."""
    apart = dependencies_apart and pinned and loadgen_cores != server_cores
    url = search_url(stack)
    body, headers = prime(url)
    payload = post_body(url)
    prime_post(url.split("?")[0], payload)
    split = urllib.parse.urlsplit(url)
    path = split.path + ("?" + split.query if split.query else "")
    every_core = sorted({*server_cores, *loadgen_cores})
    commands: list[str] = [*stack.command, f"curl -s -o body.json '{url}'  # until X-Cache: HIT"]
    with ExitStack() as servers:
        base_url, base_proc, base_cmd = servers.enter_context(
            baseline(body, headers, workers, server_cores, pinned=pinned, target=path)
        )
        targets = {
            "skyfare_get_1w": ceilings.Target(url, workers=workers),
            "bare_get_1w": ceilings.Target(base_url, workers=workers),
            "skyfare_post_1w": ceilings.Target(url.split("?")[0], "POST", payload, workers),
            "bare_post_1w": ceilings.Target(base_url.split("?")[0], "POST", payload, workers),
        }
        commands.append(_baseline_line(base_cmd))
        procs = [base_proc]
        beside: dict[str, list[int]] = {}
        if apart:
            commands += servers.enter_context(dependencies_on(stack, workers, loadgen_cores))
        if two_workers and len(every_core) > 1:
            two = servers.enter_context(
                running_stack(2, every_core, pinned=pinned, sim_cores=loadgen_cores)
            )
            two_url = search_url(two)
            prime(two_url)
            two_base, two_proc, two_cmd = servers.enter_context(
                baseline(body, headers, 2, every_core, pinned=pinned, target=path)
            )
            targets["skyfare_get_2w"] = ceilings.Target(two_url, workers=2)
            beside["skyfare_get_2w"] = dependency_pids(two, 2)
            targets["bare_get_2w"] = ceilings.Target(two_base, workers=2)
            commands += [*two.command, _baseline_line(two_cmd)]
            procs.append(two_proc)
        wall, wrk_cpu = time.monotonic(), children_cpu_seconds()
        server_cpu, baseline_cpu = stack.cpu(), sum(tree_cpu_seconds(p.pid) for p in procs)
        side = ceilings.SideCpu(beside=beside)
        rps, cpu_us, non_2xx, wrk_lines = ceilings.measure_turns(
            targets,
            turns=turns,
            seconds=seconds,
            connections=connections,
            warmup_s=min(seconds, 2),
            side=side,
        )
        wall = round(time.monotonic() - wall, 2)
        cpu = [
            ToolCpu("wrk (load generator)", round(children_cpu_seconds() - wrk_cpu, 2), wall),
            *server_cpu_between(server_cpu, stack.cpu(), wall),
            ToolCpu(
                "bare aiohttp baselines",
                round(sum(tree_cpu_seconds(p.pid) for p in procs) - baseline_cpu, 2),
                wall,
            ),
        ]
    rows = ceilings.rows(rps, cpu_us, targets)
    wrk = f"wrk -t1 -c{connections} -d{seconds}s"
    commands += [
        f"# {turns} turns, every target once a turn, the order reversed every other turn, "
        f"after {min(seconds, 2)} s of warm-up each (POSTs with a wrk Lua script: method, "
        "Content-Type: application/json and this body: " + payload.decode() + "):",
        *(display(pin(line.split(), loadgen_cores, enabled=pinned)) for line in wrk_lines),
    ]
    table = Ceilings(
        wrk=wrk,
        turns=turns,
        seconds=seconds,
        response_bytes=len(body),
        rows=rows,
        scaling=ceilings.scaling(rps),
        baseline_scaling=ceilings.scaling(rps, "bare"),
        scaling_target=ceilings.SCALING_TARGET,
        cpu=cpu,
        placement=_placement(server_cores, loadgen_cores, apart=apart, pinned=pinned),
        core_budget=ceilings.core_budget(rps, cpu_us, side, len(every_core)),
    )
    get = next(r for r in rows if r.name == "get_1w")
    legacy = Ceiling(
        workers=workers,
        wrk=wrk,
        skyfare_rps=get.skyfare_rps,
        baseline_rps=get.baseline_rps,
        skyfare_median_rps=get.skyfare_median_rps,
        baseline_median_rps=get.baseline_median_rps,
        ratio=get.ratio,
        target=get.target,
        meets_target=get.meets_target,
        non_2xx=non_2xx,
        response_bytes=len(body),
        cpu=cpu,
    )
    return (legacy, table), commands


def _placement(server: list[int], loadgen: list[int], *, apart: bool, pinned: bool) -> str:
    if not pinned:
        return "nothing pinned: server and load generator share the cores"
    on_server, on_loadgen = ",".join(map(str, server)), ",".join(map(str, loadgen))
    if apart:
        return (
            f"1 worker: the API worker alone on core(s) {on_server}, its dependencies "
            "(PostgreSQL, Redis, the notification worker, the analytics consumer, the supervisor) "
            f"on core(s) {on_loadgen} with wrk and the sim airlines; 2 workers: all of the stack "
            "on every core (no core is left for the dependencies alone)"
        )
    return (
        f"1 worker: the API worker and its dependencies (PostgreSQL, Redis, the notification "
        f"worker, the analytics consumer, the supervisor) on core(s) {on_server}, wrk and the sim "
        f"airlines on core(s) {on_loadgen}; 2 workers: all of the stack on every core"
    )


def _baseline_line(cmd: list[str]) -> str:
    return display([*cmd[: cmd.index("--body-file") + 1], "body.json", *cmd[cmd.index("--port") :]])
