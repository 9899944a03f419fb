"""Booking A/B: this checkout's `POST /v1/orders` (hold) beside another checkout's, in one run.

    python -m bench.booking_ab --base-skyfare /path/to/base/.venv/bin/skyfare
                               [--turns 5] [--seconds 6] [--concurrency 16] [--out FILE.json]

Starts two stacks (`skyfare up --workers 1`, each with its own embedded PostgreSQL), the base
checkout's and this one's, both pinned to the server core with their sims on the load generator's,
as `make bench` does. Each turn measures both, in alternating order, with the harness's booking
step (bench/harness_booking.py: the API clients, then the raw asyncpg loop on the same stack's
database), so a busy machine slows both sides alike. Prints, per side, the medians over turns:
orders/s, the ratio to the raw loop, and the server CPU per order from /proc — the API worker
plus PostgreSQL per successful hold beside the raw loop plus PostgreSQL per raw order (their
quotient is the CPU-per-request ratio; 1.0 would be "no cost above the raw rows"), over the
measured window only (`bench.booking_rate --cpu`), and the API's CPU per attempt (409s included).

The base checkout needs a virtualenv of its own (`skyfare` importing that checkout's code).
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from bench import harness_booking
from bench.harness_stack import running_stack
from bench.machine import available_cpus, plan_cores


def per_order(figures: dict[str, float]) -> dict[str, float]:
    """The figures this A/B compares, from one harness run's (bench/harness_booking.py)."""
    api = figures["api_cpu_ms_per_ok_api_workers"] + figures["api_cpu_ms_per_ok_postgresql"]
    raw = figures["raw_cpu_ms_per_ok_client"] + figures["raw_cpu_ms_per_ok_postgresql"]
    # The share of holds answered 201 swings between turns (the sim's fares move with every
    # sale, so some turns answer many 409s, whose CPU counts per successful hold): the CPU per
    # attempt is the steadier figure for comparing code.
    attempts = sum(v for k, v in figures.items() if k.startswith("api_outcome_"))
    ok_share = figures.get("api_outcome_ok", 0.0) / attempts if attempts else 0.0
    return {
        "api_orders_per_s": figures["api_orders_per_s"],
        "raw_orders_per_s": figures["raw_orders_per_s"],
        "ratio": figures["api_orders_per_s"] / figures["raw_orders_per_s"],
        "api_worker_cpu_ms_per_order": figures["api_cpu_ms_per_ok_api_workers"],
        "api_postgres_cpu_ms_per_order": figures["api_cpu_ms_per_ok_postgresql"],
        "raw_cpu_ms_per_order": raw,
        "cpu_ratio": raw / api,
        "api_ok_share": ok_share,
        "api_worker_cpu_ms_per_attempt": figures["api_cpu_ms_per_ok_api_workers"] * ok_share,
        "api_postgres_cpu_ms_per_attempt": figures["api_cpu_ms_per_ok_postgresql"] * ok_share,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base-skyfare", required=True, help="the base checkout's skyfare CLI")
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--out", type=Path, help="every turn's figures as JSON")
    parser.add_argument(
        "--port-base", type=int, help="base listens on this port … +3, this checkout's on +10 … +13"
    )
    args = parser.parse_args(argv)
    server, loadgen = plan_cores(available_cpus(), 1)
    pinned = server != loadgen
    sides: dict[str, list[dict[str, float]]] = {"base": [], "this": []}
    with ExitStack() as stacks:
        started = {
            name: stacks.enter_context(
                running_stack(
                    1,
                    server,
                    pinned=pinned,
                    sim_cores=loadgen,
                    skyfare=cli,
                    port_base=None if args.port_base is None else args.port_base + 10 * n,
                )
            )
            for n, (name, cli) in enumerate((("base", args.base_skyfare), ("this", None)))
        }
        for turn in range(args.turns):
            for name in ("base", "this") if turn % 2 == 0 else ("this", "base"):
                booking, _ = harness_booking.measure(
                    started[name],
                    seconds=args.seconds,
                    concurrency=args.concurrency,
                    runs=1,
                    server_cores=server,
                    loadgen_cores=loadgen,
                    pinned=pinned,
                    with_floor=False,  # the two stacks' API sides are what it compares
                )
                figures = {**booking.runs[0], **per_order(booking.runs[0])}
                sides[name].append(figures)
                print(f"turn {turn} {name}: " + _line(figures), flush=True)
    for name, turns in sides.items():
        median = {k: statistics.median(t[k] for t in turns) for k in turns[0]}
        print(f"median {name}: " + _line(median))
    if args.out:
        args.out.write_text(json.dumps(sides, indent=1))


def _line(f: dict[str, float]) -> str:
    return (
        f"api {f['api_orders_per_s']:.1f}/s raw {f['raw_orders_per_s']:.1f}/s"
        f" ratio {f['ratio']:.3f} | CPU ms/order: worker {f['api_worker_cpu_ms_per_order']:.2f}"
        f" + PG {f['api_postgres_cpu_ms_per_order']:.2f}, raw+PG {f['raw_cpu_ms_per_order']:.2f}"
        f" | cpu ratio {f['cpu_ratio']:.3f} | 201s {f['api_ok_share']:.2f} of attempts,"
        f" per attempt: worker {f['api_worker_cpu_ms_per_attempt']:.2f}"
        f" + PG {f['api_postgres_cpu_ms_per_attempt']:.2f}"
    )


if __name__ == "__main__":
    main()
