"""Usage events' cost on the cached search, three sides in one run: off, on (this tree), and on
at another commit (a `git worktree` of it), so a change is judged against its parent on the
same machine at the same moment, not against a figure measured at a quieter hour.

Each turn drives every side with wrk in a shuffled order and reads the server's CPU time from
/proc: `cpu_us_per_request` per side and turn, and per side the medians. On a shared 2-core
machine the CPU per request moves far less than the requests/s, so it is the figure to read.

    python -m bench.usage_ab --old-tree /tmp/old [--port-base 20440] [--turns 7] [--seconds 6]

DATABASE_URL and REDIS_URL must be set (all sides share them and one `skyfare sim`).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.ceiling import _prime, _wait_ready, run_wrk
from bench.machine import cpu_seconds, listening_pids
from bench.processes import process_group, wait_listening
from bench.report import emit_json
from bench.usage_cost import STREAM, _delete_stream, _in_days

HERE = Path(__file__).resolve().parent.parent


def measure(old_tree: Path, port_base: int, turns: int, seconds: int) -> dict[str, Any]:
    env = dict(os.environ)
    env.update(
        SKYFARE_SIM_PORT=str(port_base + 10),
        SKYFARE_LOG_LEVEL="ERROR",
        SKYFARE_USAGE_STREAM=STREAM,
        SKYFARE_USAGE_STREAM_MAXLEN="100000",
    )
    sides = {
        "off": (HERE, port_base, {"SKYFARE_USAGE_EVENTS": "false"}),
        "on": (HERE, port_base + 2, {}),
        "on_old": (old_tree, port_base + 4, {}),
    }
    skyfare = [sys.executable, "-m", "skyfare.cli"]
    path = "/v1/search?origin=LHR&destination=JFK&departure_date=" + _in_days(30)
    cpu: dict[str, list[float]] = {name: [] for name in sides}
    rps: dict[str, list[float]] = {name: [] for name in sides}
    with ExitStack() as stack:
        stack.enter_context(process_group([*skyfare, "sim"], env, cwd=HERE, quiet=True))
        wait_listening(port_base + 10)
        for tree, port, extra in sides.values():
            side_env = {**env, **extra, "SKYFARE_PORT": str(port)}
            stack.enter_context(
                process_group([*skyfare, "serve", "--workers", "1"], side_env, cwd=tree, quiet=True)
            )
        urls = {name: f"http://127.0.0.1:{port}{path}" for name, (_, port, _) in sides.items()}
        for name, (_, port, _) in sides.items():
            _wait_ready(f"http://127.0.0.1:{port}/healthz", timeout_s=120)
            _prime(urls[name])
            run_wrk(urls[name], seconds=2, connections=64)  # warm-up
        try:
            for _ in range(turns):
                order = list(sides)
                random.shuffle(order)
                for name in order:
                    pids = listening_pids(sides[name][1])
                    before = sum(cpu_seconds(pid) for pid in pids)
                    result = run_wrk(urls[name], seconds=seconds, connections=64)
                    used = sum(cpu_seconds(pid) for pid in pids) - before
                    rps[name].append(result["requests_per_s"])
                    cpu[name].append(round(used / result["requests"] * 1e6, 2))
        finally:
            _delete_stream(env["REDIS_URL"])
    medians = {name: statistics.median(values) for name, values in cpu.items()}
    return {
        "cpu_us_per_request": cpu,
        "requests_per_s": rps,
        "median_cpu_us": medians,
        "cpu_ratio_on": round(medians["off"] / medians["on"], 3),
        "cpu_ratio_on_old": round(medians["off"] / medians["on_old"], 3),
        "median_rps": {name: statistics.median(values) for name, values in rps.items()},
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--old-tree", type=Path, required=True)
    parser.add_argument("--port-base", type=int, default=20440)
    parser.add_argument("--turns", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = measure(args.old_tree, args.port_base, args.turns, args.seconds)
    emit_json(result, args.json)


if __name__ == "__main__":
    main()
