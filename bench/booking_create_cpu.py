"""The limited create alone (`PgOrderRepository.create` as `POST /v1/orders` calls it: the gate,
the key's claim, the order's rows, one statement): PostgreSQL's and the client's CPU per create,
checkouts side by side.

    python -m bench.booking_create_cpu --database-url "$DATABASE_URL" \\
        --trees /path/to/base,/path/to/this [--turns 6] [--creates 400]

Each turn runs every tree once, in a process of its own (bench/trees.py: `PYTHONPATH=<tree>`,
the order reversed every other turn). A process, on one connection, creates `--creates` orders,
16 owners in turn, with the benchmark's limits (bench/booking_pg_cpu.py's `BENCH_LIMITS`) and a
fresh key claimed in the statement, after two unmetered (the statement prepared, its plan made),
and reads around every create its backend's `/proc/<pid>/schedstat` (the statement's work in
PostgreSQL; `--synchronous-commit off`: without the commit's WAL flush, whose cost on a busy
machine's disk varies more than what is compared) and its own CPU (`time.process_time`: the
repository's Python and asyncpg's encoding and decoding); a turn's figure is the median create's.
The orders stay, under owners of their own. Copy this file and bench/trees.py into
the base checkout's `bench/`; the database needs the newest tree's schema.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Callable, Sequence

import asyncpg
import msgspec

from bench.booking_pg_cpu import BENCH_LIMITS, backend_run_ns
from bench.trees import alternating, one_side
from booking.idempotency import NewKey, fingerprint
from booking.model import CreateOrderRequest
from booking.pg import Database
from booking.repository import PgOrderRepository
from tests.support.orders import ADA, new_order

REQUEST = CreateOrderRequest(offer_id="off_bench", passengers=(ADA,))
FINGERPRINT = fingerprint("POST", "/v1/orders", msgspec.to_builtins(REQUEST))


async def creates_cpu(
    pool: asyncpg.Pool, owners: Sequence[str], creates: int, *, warm: int = 2
) -> tuple[float, float, list[str]]:
    """Backend and client µs per limited create, `creates` of them for `owners` in turn (`warm`
    more first, unmetered), each the median of the creates' (a busy machine's interference
    lands on some creates, not on their median; 0 for none); and the ids of every order made."""
    repository = PgOrderRepository(Database(pool, timeout_s=30.0))
    pid = await pool.fetchval("SELECT pg_backend_pid()")
    made: list[str] = []
    backend: list[int] = []
    client: list[int] = []
    for n in range(-warm, creates):
        owner = owners[n % len(owners)]
        order = new_order(owner, offer_id="off_bench")
        claim = NewKey(owner, uuid.uuid4().hex, FINGERPRINT, lease_s=30.0, ttl_s=86400.0)
        before, started = backend_run_ns(pid), time.process_time_ns()
        await repository.create(order, actor=owner, limits=BENCH_LIMITS, claim=claim)
        if n >= 0:
            client.append(time.process_time_ns() - started)
            backend.append(backend_run_ns(pid) - before)
        made.append(order.id)
    if not backend:
        return 0.0, 0.0, made
    return statistics.median(backend) / 1000, statistics.median(client) / 1000, made


async def _one_side(url: str, creates: int, sync: str) -> dict[str, float]:
    run = f"bench-create-{uuid.uuid4().hex[:8]}"
    settings = {"synchronous_commit": sync}
    async with asyncpg.create_pool(url, min_size=1, max_size=1, server_settings=settings) as pool:
        backend, client, _ = await creates_cpu(pool, [f"{run}-{o}" for o in range(16)], creates)
    return {"pg_us": backend, "client_us": client}


def side_by_side(
    module: str,
    trees: str,
    turns: int,
    options: Sequence[str],
    shown: Callable[[dict[str, float]], str],
) -> dict[str, list[dict[str, float]]]:
    """`python -m <module> --one-side <options>` in each of the comma-separated `trees`,
    `turns` times, alternating (bench/trees.py): each tree's results."""
    return alternating(trees.split(","), turns, lambda tree: one_side(module, tree, options), shown)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--trees", help="comma-separated checkouts; the first is the base")
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--creates", type=int, default=400)
    parser.add_argument(
        "--synchronous-commit", default="on", help="the session's; off: no WAL flush at commit"
    )
    parser.add_argument("--one-side", action="store_true", help="(internal) measure this tree")
    args = parser.parse_args(argv)
    if args.one_side:
        result = asyncio.run(_one_side(args.database_url, args.creates, args.synchronous_commit))
        print(json.dumps(result))
        return
    if not args.trees:
        parser.error("--trees is required")
    options = ["--database-url", args.database_url, "--creates", str(args.creates),
               "--synchronous-commit", args.synchronous_commit]  # fmt: skip
    rows = side_by_side(
        "bench.booking_create_cpu", args.trees, args.turns, options,
        lambda r: f"PG {r['pg_us']:.1f} µs/create, client {r['client_us']:.1f}",
    )  # fmt: skip
    print("\n| tree | PG µs/create → median | client µs/create → median |\n|---|---|---|")
    for tree, turns in rows.items():
        cells = [
            ", ".join(f"{r[k]:.0f}" for r in turns)
            + f" → **{statistics.median(r[k] for r in turns):.0f}**"
            for k in ("pg_us", "client_us")
        ]
        print(f"| {tree} | " + " | ".join(cells) + " |")
    base, *others = rows
    for tree in others:  # per turn, each against the base's run beside it
        cells = []
        for k in ("pg_us", "client_us"):
            diffs = [r[k] - b[k] for r, b in zip(rows[tree], rows[base], strict=True)]
            cells.append(
                ", ".join(f"{d:+.0f}" for d in diffs) + f" → **{statistics.median(diffs):+.0f}**"
            )
        print(f"| {tree} − {base}, per turn | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
