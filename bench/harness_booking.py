"""Booking: `POST /v1/orders` (hold) orders/s beside the raw asyncpg loop (`bench.booking_rate`).

Both sides run as child processes, in turns: the API clients on the load generator's cores, the
raw loop on the server's cores (where the API worker runs), so each gets the same CPU for its
Python. A third side, the bare hold (`bench.bare_hold`: a hold's I/O with none of Skyfare's code,
on the server's cores, its clients on the load generator's), is the floor the API's figure is
read against. The sim airlines answer at once during this phase, so the airline is not what
limits holds; their latencies are restored afterwards.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import NamedTuple

from bench.booking_sql import STATEMENTS
from bench.harness_stack import (
    Stack,
    cpu_pids,
    display,
    get_json,
    redis_url,
    reset_sim,
    server_cpu,
    set_sim_latency,
    sim_airlines,
)
from bench.machine import children_cpu_seconds, pin
from bench.placement import consumers_on, consumers_placement
from bench.processes import free_port, process_group, wait_listening
from bench.report import Booking, ToolCpu
from bench.stats import median_of

SIDES = ("api", "bare", "raw")
TOOLS = {  # each side's own process, whose CPU the step reports beside the stack's
    "api": "API clients (load generator)",
    "bare": "bare hold's clients (load generator)",
    "raw": "raw asyncpg loop (server cores)",
}
# The bare hold's fares, days ahead: past the API side's (`bench.booking_rate`: 20–49), and each
# run on days of its own (its FARES span ~32 days), so no run meets flights another sold out.
BARE_FIRST_DAY = 60
BARE_DAYS_PER_RUN = 35


class Unavailable(Exception):
    """The service under test has no `POST /v1/orders` yet."""


def orders_available(stack: Stack) -> bool:
    # The document is built on its first request: seconds on a machine busy with other work.
    document = get_json(stack.url + "/openapi.json", timeout_s=120)
    return isinstance(document, dict) and "/v1/orders" in document.get("paths", {})


@contextmanager
def database_url(stack: Stack) -> Iterator[str]:
    """The stack's PostgreSQL: DATABASE_URL if configured, else its embedded server's URL."""
    if "DATABASE_URL" in stack.env:
        yield stack.env["DATABASE_URL"]
        return
    from skyfare.embedded import EmbeddedPostgres  # attaches to the running server

    server = EmbeddedPostgres(stack.data_dir / "postgres")
    try:
        yield server.start()
    finally:
        server.stop()


@contextmanager
def bare_hold(stack: Stack, dsn: str, cores: list[int], *, pinned: bool) -> Iterator[Bare]:
    """`bench.bare_hold` on `cores`, on the stack's PostgreSQL, Redis and sim, until the block
    ends (its rows are deleted as it stops)."""
    port = free_port()
    command = pin(
        [
            *(sys.executable, "-m", "bench.bare_hold", "--port", str(port)),
            *("--database-url", dsn, "--redis-url", redis_url(stack), "--sim-url", stack.sim_url),
        ],
        cores,
        enabled=pinned,
    )
    with process_group(command, stop_timeout_s=90.0) as proc:
        wait_listening(port, proc=proc)
        yield Bare(f"http://127.0.0.1:{port}", proc.pid, command)


class Bare(NamedTuple):
    url: str
    pid: int
    command: list[str]


def _child(command: list[str], timeout_s: float) -> tuple[dict[str, float], float, float]:
    """Run a `bench.booking_rate` process: its figures, CPU seconds and wall seconds."""
    cpu, started = children_cpu_seconds(), time.monotonic()
    out = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout_s, stdin=subprocess.DEVNULL
    )
    if out.returncode != 0:
        raise RuntimeError(f"{shlex.join(command[:6])} … failed:\n{out.stderr[-2000:]}")
    figures = {k: float(v) for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}
    return figures, children_cpu_seconds() - cpu, time.monotonic() - started


def measure(
    stack: Stack,
    *,
    seconds: float,
    concurrency: int,
    runs: int,
    server_cores: list[int],
    loadgen_cores: list[int],
    pinned: bool,
    consumers_apart: bool = True,
    with_floor: bool = True,
) -> tuple[Booking, list[str]]:
    """`consumers_apart` (when pinned): the stack's notification worker, analytics consumer
    and supervisor on the load generator's cores for the step (`bench.placement.consumers_on`).
    `with_floor`: the bare hold as a third side (`bench.booking_ab` compares two stacks' API
    sides and leaves it out)."""
    if not orders_available(stack):
        raise Unavailable("POST /v1/orders is not in the service's OpenAPI document yet")
    python = [sys.executable, "-m", "bench.booking_rate"]
    common = ["--seconds", f"{seconds:g}", "--concurrency", str(concurrency)]
    pids = cpu_pids(stack)
    api = pin(
        [
            *python, "api", "--url", stack.url, "--sim-url", stack.sim_url, *common,
            *_cpu_args(pids),
        ],
        loadgen_cores,
        enabled=pinned,
    )  # fmt: skip
    results: list[dict[str, float]] = []
    sides = SIDES if with_floor else tuple(side for side in SIDES if side != "bare")
    cpu = {side: [0.0, 0.0] for side in sides}
    apart = consumers_apart and pinned and loadgen_cores != server_cores
    placed: list[str] = []
    server_before, started = stack.cpu(), time.monotonic()
    set_sim_latency(stack, dict.fromkeys(sim_airlines(stack), 0.0))
    try:
        with database_url(stack) as dsn, ExitStack() as moved:
            if apart:
                placed = moved.enter_context(consumers_on(stack, 1, loadgen_cores))
            postgres = {k: v for k, v in pids.items() if k == "postgresql"}
            raw = pin(
                [*python, "raw", "--database-url", dsn, *common, *_cpu_args(postgres)],
                server_cores,
                enabled=pinned,
            )
            floor, bare = None, []
            if with_floor:
                floor = moved.enter_context(bare_hold(stack, dsn, server_cores, pinned=pinned))
                beside = {k: v for k, v in pids.items() if k != "api_workers"}
                bare = pin(
                    [
                        *python, "bare", "--url", floor.url, "--sim-url", stack.sim_url,
                        *common, *_cpu_args({"bare_server": [floor.pid], **beside}),
                    ],
                    loadgen_cores,
                    enabled=pinned,
                )  # fmt: skip
            for index in range(runs):
                figures: dict[str, float] = {}
                days = ["--first-day", str(BARE_FIRST_DAY + BARE_DAYS_PER_RUN * index)]
                commands = {"api": api, "bare": [*bare, *days], "raw": raw}
                turn = index % len(sides)
                for side in sides[turn:] + sides[:turn]:  # each side first in turn
                    before = stack.cpu()
                    out, cpu_s, wall_s = _child(commands[side], seconds + 120)
                    figures.update({f"{side}_{k}": v for k, v in out.items()})
                    figures.update(_cpu_per_attempt(side, before, stack.cpu(), out))
                    cpu[side][0] += cpu_s
                    cpu[side][1] += wall_s
                results.append(figures)
    finally:
        reset_sim(stack)
    server = server_cpu(server_before, stack.cpu(), time.monotonic() - started)
    median = median_of(results)
    ratio = median["api_orders_per_s"] / median["raw_orders_per_s"]
    booking = Booking(
        concurrency=concurrency,
        duration_s=seconds,
        runs=results,
        median=median,
        ratio=round(ratio, 3),
        cpu_ratio=cpu_ratio(median),
        statements=[" ".join(s.split()) for s in STATEMENTS],
        placement=consumers_placement(
            server_cores,
            loadgen_cores,
            apart=apart,
            pinned=pinned,
            waits="a hold",
            clients="the API's and the bare hold's clients",
            turns="the raw loop and the bare hold in their turns",
        ),
        cpu=[
            *(
                ToolCpu(TOOLS[side], round(cpu[side][0], 2), round(cpu[side][1], 2))
                for side in sides
            ),
            *server,
        ],
        bare_ratio=(
            round(median["bare_orders_per_s"] / median["raw_orders_per_s"], 3) if floor else None
        ),
    )
    shown = {dsn: "$DATABASE_URL", redis_url(stack): "$REDIS_URL"}
    floor_commands = [floor.command, bare] if floor else []
    return booking, _commands(stack, [api, raw, *floor_commands], placed, shown)


def _cpu_args(pids: dict[str, list[int]]) -> list[str]:
    return [a for name, p in pids.items() for a in ("--cpu", f"{name}={'+'.join(map(str, p))}")]


def cpu_ratio(median: dict[str, float]) -> float | None:
    """Server CPU per order, raw ÷ API: the raw loop and its PostgreSQL backends beside the API
    worker and its backends, over the measured windows (`bench.booking_rate --cpu`). 1.0: an
    order costs the API no CPU beyond the rows it writes; None when they were not measured."""
    api = [median.get(f"api_cpu_ms_per_ok_{k}") for k in ("api_workers", "postgresql")]
    raw = [median.get(f"raw_cpu_ms_per_ok_{k}") for k in ("client", "postgresql")]
    if None in api or None in raw:
        return None
    return round(sum(v for v in raw if v) / sum(v for v in api if v), 3)


def _cpu_per_attempt(
    side: str, before: dict[str, float], after: dict[str, float], out: dict[str, float]
) -> dict[str, float]:
    """Server CPU milliseconds per order attempt, by component: where an order's time goes.
    The API side's include the uncached searches that found the offers (a few percent)."""
    attempts = out.get("attempts_total", 0.0)
    if not attempts:
        return {}
    return {
        f"{side}_cpu_ms_per_attempt_{re.sub(r'[^a-z]+', '_', name.split(':')[0].lower())}": round(
            (after[name] - before.get(name, 0.0)) * 1000 / attempts, 3
        )
        for name in after
    }


def _commands(
    stack: Stack, sides: list[list[str]], placed: list[str], secret: dict[str, str]
) -> list[str]:
    """`sides`: the API clients', the raw loop's, and (when it ran) the bare hold's and its
    clients' commands; `secret`: values shown by name (the database's URL)."""
    api, raw, *floor = ([secret.get(a, a) for a in side] for side in sides)
    shown = [
        *stack.command,
        *placed,
        f"# every sim airline at 0 ms: curl -s -X PUT {stack.sim_url}/_sim/airlines/<slug>/profile"
        ' -d \'{"latency_ms": 0, "latency_sigma": 0}\'',
        display(api),
        "# DATABASE_URL, REDIS_URL: the stack's (its embedded servers' unix sockets)",
        display(raw),
    ]
    if floor:
        bare_server, bare = floor
        shown += [
            f"{display(bare_server)} &",
            f"{display(bare)} --first-day {BARE_FIRST_DAY}  # + {BARE_DAYS_PER_RUN} each run",
        ]
    return [*shown, f"curl -s -X POST {stack.sim_url}/_sim/reset"]
