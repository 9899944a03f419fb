"""Cached search on two whole stacks side by side, this tree against another commit's (a `git
worktree`): the CPU each request costs the API worker *and* everything else `skyfare up` runs
for it (the analytics consumer loading its usage event, Redis, PostgreSQL, the supervisor),
beside a bare aiohttp handler serving the same bytes, in alternating turns.

    python -m bench.stack_ab --old-tree /tmp/old [--turns 5] [--seconds 6] [--json FILE]

Each stack runs as the ceiling rows run it (`bench.placement`): the API worker alone on core 0;
its dependencies, the sim and wrk on core 1. The other commit's code is put first on the
stack's PYTHONPATH. A turn drives every target (GET and POST on each stack, GET on the bare
handler) once, in shuffled order; after each, the stack's dependencies get `--settle` seconds
to load what it published, counted with its turn. CPU from /proc: the figure to read on a
shared machine, where requests/s swing with other work.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import ceilings
from bench.harness_ceiling import baseline, post_body, prime, prime_post, search_url
from bench.harness_stack import Stack, postmaster_pid, running_stack
from bench.machine import cpu_seconds, listening_pids, process_tree, tree_cpu_seconds
from bench.placement import dependencies_on
from bench.report import emit_json

SERVER, OTHERS = [0], [1]


def _dependencies_cpu(stack: Stack) -> Callable[[], float]:
    """CPU seconds so far of everything the stack runs but its API worker and the sim."""
    served = listening_pids(stack.port) | listening_pids(stack.sim_port)

    def read() -> float:
        total = tree_cpu_seconds(stack.pid) - sum(map(cpu_seconds, served))
        postmaster = postmaster_pid(stack.data_dir / "postgres")
        if postmaster is not None and postmaster not in process_tree(stack.pid):
            total += tree_cpu_seconds(postmaster)
        return total

    return read


def measure(old_tree: Path, turns: int, seconds: int, settle_s: float) -> dict[str, Any]:
    os.sched_setaffinity(0, OTHERS)  # wrk inherits it
    trees = {"old": {"PYTHONPATH": str(old_tree)}, "new": {}}
    targets: dict[str, ceilings.Target] = {}
    deps: dict[str, Callable[[], float]] = {}
    commands: list[str] = []
    with ExitStack() as servers:
        body = b""
        for side, settings in trees.items():
            stack = servers.enter_context(
                running_stack(1, SERVER, pinned=True, sim_cores=OTHERS, settings=settings)
            )
            url = search_url(stack)
            body, headers = prime(url)
            payload = post_body(url)
            prime_post(url.split("?")[0], payload)
            commands += [*stack.command, *servers.enter_context(dependencies_on(stack, 1, OTHERS))]
            targets[f"{side}_get"] = ceilings.Target(url)
            targets[f"{side}_post"] = ceilings.Target(url.split("?")[0], "POST", payload)
            deps[f"{side}_get"] = deps[f"{side}_post"] = _dependencies_cpu(stack)
        split = url.split("/v1/search", 1)[1]
        bare_url, _, bare_cmd = servers.enter_context(
            baseline(body, headers, 1, SERVER, pinned=True, target="/v1/search" + split)
        )
        targets["bare_get"] = ceilings.Target(bare_url)
        commands.append(" ".join(bare_cmd))
        api: dict[str, list[float]] = {name: [] for name in targets}
        rest: dict[str, list[float]] = {name: [] for name in targets}
        rps: dict[str, list[float]] = {name: [] for name in targets}
        pids = {name: sorted(listening_pids(t.port)) for name, t in targets.items()}
        scripts = servers.enter_context(ceilings.wrk_scripts(targets))

        def wrk(name: str, duration: int) -> dict[str, float]:
            command = ceilings.wrk_command(
                targets[name], scripts[name], seconds=duration, connections=64
            )
            return ceilings.run_wrk(command)

        for name in targets:
            wrk(name, 2)  # warm-up
        time.sleep(settle_s)
        for _ in range(turns):
            order = list(targets)
            random.shuffle(order)
            for name in order:
                before_api = sum(map(cpu_seconds, pids[name]))
                before = deps[name]() if name in deps else 0.0
                result = wrk(name, seconds)
                used = sum(map(cpu_seconds, pids[name])) - before_api
                time.sleep(settle_s)  # what was published is loaded before the next turn
                requests = max(1.0, result["requests"])
                rps[name].append(result["requests_per_s"])
                api[name].append(round(used / requests * 1e6, 2))
                if name in deps:
                    rest[name].append(round((deps[name]() - before) / requests * 1e6, 2))
    median = statistics.median
    return {
        "requests_per_s": rps,
        "api_cpu_us_per_request": api,
        "dependencies_cpu_us_per_request": rest,
        "median_rps": {n: median(v) for n, v in rps.items()},
        "median_api_cpu_us": {n: median(v) for n, v in api.items()},
        "median_dependencies_cpu_us": {n: median(v) for n, v in rest.items() if v},
        "load_average_after": os.getloadavg(),
        "commands": commands,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--old-tree", type=Path, required=True)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    started = os.getloadavg()
    result = {
        "load_average_before": started,
        **measure(args.old_tree, args.turns, args.seconds, args.settle),
    }
    emit_json(result, args.json)


if __name__ == "__main__":
    main()
