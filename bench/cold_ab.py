"""Cold search on two whole stacks side by side, this tree against another checkout (a `git
worktree`), in alternating short turns: a shared machine's load then falls on both sides alike.

    python -m bench.cold_ab --old-tree /tmp/old [--rate 40] [--turns 6] [--seconds 8] \
        [--base-port 22010] [--json FILE]

Both stacks run as `bench.cold_tail_ab` runs one (`skyfare up --workers 1` on core 0, its sim
moved to core 1, the airlines at `bench.harness_cold`'s fixed latencies); the other checkout's
code is put first on its stack's PYTHONPATH. Each turn drives one stack, then the other (the
order alternates), at `--rate` open-loop searches a second, and reads per side: the API
worker's CPU per answered search and the sim's per airline call (/proc, `/_sim/stats`), the
latency over the slowest airline as configured (p50 / p99), the median time each search spent
in the handler after its slowest airline had answered (`meta.took_ms` less the slowest
connector's latency) and outside the handler, and the latency over the slowest connector.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import harness_stack, open_loop
from bench.cold_tail_ab import _split
from bench.harness_cold import AIRLINE_LATENCY_MS, WARMUP_S, _run, figures, url_template
from bench.harness_stack import Stack, get_json, reset_sim, running_stack, set_sim_latency
from bench.machine import cpu_seconds, listening_pids
from bench.stats import percentile


def _airline_calls(stack: Stack) -> int:
    stats = get_json(stack.sim_url + "/_sim/stats")
    assert isinstance(stats, dict)
    return sum(sum(endpoints.values()) for endpoints in stats.values())


def _turn(stack: Stack, template: str, rate: float, seconds: float) -> dict[str, Any]:
    api = listening_pids(stack.port)
    sim = listening_pids(stack.sim_port) - api
    before = {pid: cpu_seconds(pid) for pid in api | sim}
    calls = _airline_calls(stack)
    samples = _run(template, open_loop.schedule(rate, seconds))
    used = sum(cpu_seconds(pid) - before[pid] for pid in api)
    sim_used = sum(cpu_seconds(pid) - before[pid] for pid in sim)
    calls = _airline_calls(stack) - calls
    result = figures(samples, seconds)
    timed = [s for s in samples if s.status == 200]
    inside, outside = _split(timed)
    # The slowest airline as Skyfare measured it, over its configured latency: the sim's own time.
    configured = max(AIRLINE_LATENCY_MS.values())
    slowest = [s.slowest_connector_ms - configured for s in timed if s.slowest_connector_ms]
    if slowest:
        result["slowest_connector_over_configured_p50_ms"] = round(percentile(slowest, 0.5), 2)
        result["slowest_connector_over_configured_p99_ms"] = round(percentile(slowest, 0.99), 2)
    result.update(
        load1=round(os.getloadavg()[0], 2),
        api_cpu_ms_per_search=round(used * 1000 / max(1, result["ok"]), 3),
        airline_calls=calls,
        sim_cpu_us_per_call=round(sim_used * 1e6 / max(1, calls), 1),
        in_handler_after_airlines_ms=inside,
        outside_handler_ms=outside,
    )
    return result


def in_turns(
    sides: list[str], turns: int, run: Callable[[str], dict[str, Any]], *, pause_s: float = 0.0
) -> dict[str, list[dict[str, Any]]]:
    """`run(side)` once per side in each of `turns` turns, the order alternating; each result is
    printed as a JSON line with its side and turn, and kept per side."""
    results: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
    for turn in range(turns):
        for side in sides if turn % 2 == 0 else list(reversed(sides)):
            result = run(side)
            result.update(side=side, turn=turn + 1)
            results[side].append(result)
            print(json.dumps(result), flush=True)
            time.sleep(pause_s)
    return results


def _medians(turns: list[dict[str, Any]]) -> dict[str, float]:
    keys = (
        "sim_cpu_us_per_call",
        "slowest_connector_over_configured_p50_ms",
        "slowest_connector_over_configured_p99_ms",
        "p50_over_slowest_airline_ms",
        "p99_over_slowest_airline_ms",
        "api_cpu_ms_per_search",
        "in_handler_after_airlines_ms",
        "outside_handler_ms",
        "p50_over_slowest_connector_ms",
        "p99_over_slowest_connector_ms",
    )
    return {
        k: round(statistics.median(t[k] for t in turns if t.get(k) is not None), 3)
        for k in keys
        if any(t.get(k) is not None for t in turns)
    }


def ab_arguments(doc: str | None, *, base_port: int) -> argparse.Namespace:
    """The options of an A/B run in turns: the other tree, the rate, turns, seconds, ports, JSON."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--old-tree", type=Path, required=True)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--base-port", type=int, default=base_port, help="0: any free ports")
    parser.add_argument("--json", type=Path)
    return parser.parse_args()


def main() -> None:
    args = ab_arguments(__doc__, base_port=0)
    if args.base_port:
        ports = itertools.count(args.base_port)
        harness_stack.free_port = lambda: next(ports)  # type: ignore[attr-defined]
    os.sched_setaffinity(0, {1})
    trees = {"old": {"PYTHONPATH": str(args.old_tree)}, "new": {}}
    with ExitStack() as running:
        stacks = {
            side: running.enter_context(
                running_stack(1, [0], pinned=True, sim_cores=[1], settings=settings)
            )
            for side, settings in trees.items()
        }
        templates = {}
        for side, stack in stacks.items():
            set_sim_latency(stack, AIRLINE_LATENCY_MS)
            templates[side] = url_template(stack)
            _run(templates[side], open_loop.schedule(args.rate, WARMUP_S))
        results = in_turns(
            list(stacks),
            args.turns,
            lambda side: _turn(stacks[side], templates[side], args.rate, args.seconds),
            pause_s=0.5,
        )
        for stack in stacks.values():
            reset_sim(stack)
    summary = {side: _medians(turns) for side, turns in results.items()}
    print(json.dumps({"rate": args.rate, "medians": summary}), flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps({"turns": results, "medians": summary}, indent=1) + "\n")


if __name__ == "__main__":
    main()
