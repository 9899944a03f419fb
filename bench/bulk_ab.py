"""Bulk fares on two stacks side by side, this tree against another commit's (a `git worktree`):
the first and last line of 1000 cached queries (bench/harness_bulk.py's measurement) and the CPU
each request costs the API worker and the stack's other processes, in alternating turns.

    python -m bench.bulk_ab --old-tree /tmp/old [--turns 6] [--requests 20] [--port-base 21010]
                            [--profile DIR] [--json FILE]

Each stack runs as `make bench` runs it: pinned to the server core, its sim and this client on
the other. The old tree's code is put first on its stack's PYTHONPATH. Each stack is warmed as
the harness warms it (the same 100 distinct queries, then 1000 of them shuffled); a turn sends
`--requests` batches on one keep-alive socket to each stack, in alternating order. CPU from
/proc over each side's batches only: the figure to read on a shared machine. `--profile DIR`
records each side's API worker with py-spy (`record -r 250 --nonblocking -f raw`) over one more
turn of its own, for flame graphs or `bench.profile_shares`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import harness_bulk
from bench.harness_stack import Stack, partner_key, running_stack
from bench.machine import available_cpus, cpu_seconds, listening_pids, plan_cores, tree_cpu_seconds
from bench.report import emit_json


def _prepare(stack: Stack) -> tuple[str, str, bytes]:
    key = partner_key(stack)
    today = dt.datetime.now(dt.UTC).date()
    cached = harness_bulk.warm(stack, key, harness_bulk.candidates(today))
    body = json.dumps({"queries": harness_bulk.batch(cached)}, separators=(",", ":")).encode()
    url = stack.url + "/v1/fares/bulk"
    harness_bulk.timed_requests(url, key, body, 3)
    return url, key, body


def _turn(stack: Stack, target: tuple[str, str, bytes], requests: int) -> dict[str, float]:
    api = sorted(listening_pids(stack.port))
    sim = listening_pids(stack.sim_port)
    before_api = sum(map(cpu_seconds, api))
    before_all = tree_cpu_seconds(stack.pid) - sum(map(cpu_seconds, sim))
    times = harness_bulk.timed_requests(*target, requests)
    time.sleep(0.5)  # the usage events of the batches published and loaded, counted here
    used_api = sum(map(cpu_seconds, api)) - before_api
    used_all = tree_cpu_seconds(stack.pid) - sum(map(cpu_seconds, sim)) - before_all
    return {
        "first_ms": statistics.median(t[0] for t in times),
        "last_ms": statistics.median(t[1] for t in times),
        "api_cpu_ms_per_request": used_api / requests * 1000,
        "rest_cpu_ms_per_request": (used_all - used_api) / requests * 1000,
    }


def _profile(stack: Stack, target: tuple[str, str, bytes], requests: int, out: Path) -> None:
    pid = min(listening_pids(stack.port))
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    command = [spy, "record", "-r", "250", "--nonblocking", "-f", "raw", "-p", str(pid)]
    with subprocess.Popen([*command, "-o", str(out)], stdout=subprocess.DEVNULL) as proc:
        time.sleep(1.0)  # py-spy attached
        harness_bulk.timed_requests(*target, requests)
        proc.send_signal(2)  # SIGINT: py-spy writes what it recorded
        proc.wait(timeout=30)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    server, loadgen = plan_cores(available_cpus(), 1)
    pinned = server != loadgen
    trees = {"old": {"PYTHONPATH": str(args.old_tree)}, "new": {}}
    found: dict[str, list[dict[str, float]]] = {side: [] for side in trees}
    commands: list[str] = []
    with ExitStack() as stacks:
        stack: dict[str, Stack] = {}
        for n, (side, settings) in enumerate(trees.items()):
            stack[side] = stacks.enter_context(
                running_stack(
                    1, server, pinned=pinned, sim_cores=loadgen, settings=settings,
                    port_base=args.port_base + 10 * n,
                )
            )  # fmt: skip
            commands += stack[side].command
        if pinned:
            os.sched_setaffinity(0, loadgen)
        target = {side: _prepare(s) for side, s in stack.items()}
        for turn in range(args.turns):
            for side in ("old", "new") if turn % 2 == 0 else ("new", "old"):
                found[side].append(_turn(stack[side], target[side], args.requests))
        if args.profile is not None:
            args.profile.mkdir(parents=True, exist_ok=True)
            for side in trees:
                out = args.profile / f"bulk-{side}.txt"
                _profile(stack[side], target[side], args.requests * 5, out)
    median = {
        side: {k: round(statistics.median(t[k] for t in turns), 2) for k in turns[0]}
        for side, turns in found.items()
    }
    return {"median": median, "turns": found, "commands": commands}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--old-tree", type=Path, required=True)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--port-base", type=int, default=21010, help="old's; new's is +10")
    parser.add_argument("--profile", type=Path, help="write py-spy raw profiles here")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    before = os.getloadavg()
    result = {"load_average_before": before, **measure(args), "load_average_after": os.getloadavg()}
    emit_json(result, args.json)


if __name__ == "__main__":
    main()
