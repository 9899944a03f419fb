"""The raw loop of the booking row (bench/booking_sql.py) beside another checkout's, in one run.

    python -m bench.raw_ab --base /path/to/base/checkout [--turns 6] [--seconds 8]

For a change to the yardstick itself (what the raw loop writes): one stack's PostgreSQL (its
embedded one, pinned with the stack to the server core, as `make bench` does), and each turn runs
`bench.booking_rate raw` from both checkouts, in alternating order, on the server core. Prints each
run's figures and, per side, the medians: orders/s and PostgreSQL's and the client's CPU per order.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.harness_booking import database_url
from bench.harness_stack import cpu_pids, running_stack
from bench.machine import available_cpus, pin, plan_cores

FIGURES = ("orders_per_s", "cpu_ms_per_ok_postgresql", "cpu_ms_per_ok_client")


def _raw(
    checkout: Path, dsn: str, postmaster: int, cores: list[int], seconds: float
) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.booking_rate", "raw", "--database-url", dsn]
    command += ["--seconds", str(seconds), "--cpu", f"postgresql={postmaster}"]
    out = subprocess.run(
        pin(command, cores, enabled=True),
        capture_output=True,
        text=True,
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        timeout=seconds + 180,
        check=True,
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="the other checkout")
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--port-base", type=int, default=None)
    args = parser.parse_args(argv)
    sides = {"base": args.base.resolve(), "this": Path(__file__).resolve().parents[1]}
    server, loadgen = plan_cores(available_cpus(), 1)
    runs: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    with running_stack(
        1, server, pinned=True, sim_cores=loadgen, port_base=args.port_base
    ) as stack:
        postmaster = cpu_pids(stack)["postgresql"][0]
        with database_url(stack) as dsn:
            for turn in range(args.turns):
                for side in list(sides)[:: 1 if turn % 2 == 0 else -1]:
                    figures = _raw(sides[side], dsn, postmaster, server, args.seconds)
                    runs[side].append(figures)
                    print(turn, side, {k: figures[k] for k in FIGURES}, flush=True)
    for side, each in runs.items():
        print(side, {k: round(statistics.median(f[k] for f in each), 3) for k in FIGURES})


if __name__ == "__main__":
    main()
