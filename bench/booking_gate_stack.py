"""Booking: how many open holds the limits gate counts in the harness's booking load, and its cost.

    python -m bench.booking_gate_stack [--seconds 10] [--port-base 26000]

Starts the stack as bench/booking_pg_split.py does (`skyfare up --workers 1`, every sim airline
at 0 ms, `bench.booking_rate api`: 16 concurrent holds) for its settle time + `--seconds`, then,
before stopping it, reads from its PostgreSQL: the orders per owner and their open holds (what
`booking_open_holds`, booking/sql/0141 + 0147, counts), EXPLAIN (ANALYZE, BUFFERS) of the gate's
count for the owner with the most, and the backend CPU (schedstat) of 500 calls of the gate for
that owner and for an owner with none. `--turns N`: first, on the idle stack's PostgreSQL (the
embedded server, unix socket, as the API's), N alternating serial turns of the API's statements
and the raw loop's, per statement (bench/booking_pg_cpu.py's meter).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import defaultdict
from collections.abc import Sequence

import asyncpg

from bench import booking_pg_cpu as pgcpu
from bench.booking_pg_cpu import backend_run_ns
from bench.booking_pg_split import SETTLE_S, fetch_int
from bench.booking_profile import booking_load
from bench.booking_service_cpu import run_service
from bench.harness_booking import database_url
from bench.harness_stack import running_stack, set_sim_latency, sim_airlines
from bench.machine import available_cpus, plan_cores

_COUNT = """
SELECT count(*)::int, sum(seats_taken)::int FROM orders o
WHERE o.owner = $1 AND o.status IN ('pending', 'held')
  AND o.payment_status IN ('unpaid', 'failed')"""
GATE = "SELECT * FROM booking_open_holds($1, 1, 2, '{}', '{}')"


async def cpu_per_call(conn: asyncpg.Connection, owner: str, calls: int = 500) -> float:
    """µs of the backend's CPU per gate call (its own transaction: the lock is released)."""
    pid = await conn.fetchval("SELECT pg_backend_pid()")
    await conn.fetch(GATE, owner)
    before = backend_run_ns(pid)
    for _ in range(calls):
        await conn.fetch(GATE, owner)
    return (backend_run_ns(pid) - before) / calls / 1000


async def inspect(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT owner, count(*) AS orders, count(*) FILTER (WHERE status IN ('pending', 'held')"
            " AND payment_status IN ('unpaid', 'failed')) AS open_holds,"
            " count(*) FILTER (WHERE status = 'held') AS held"
            " FROM orders GROUP BY owner ORDER BY open_holds DESC"
        )
        print("| owner | orders | open holds | held |\n|---|---|---|---|")
        for r in rows:
            print(f"| {r['owner'][:24]} | {r['orders']} | {r['open_holds']} | {r['held']} |")
        top = rows[0]["owner"]
        plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {_COUNT}", top)
        print("\n".join(p[0] for p in plan))
        for _ in range(3):
            busy, idle = await cpu_per_call(conn, top), await cpu_per_call(conn, "nobody")
            print(
                f"gate, backend µs per call: {busy:.0f} ({rows[0]['open_holds']} open holds),"
                f" {idle:.0f} (none)"
            )
    finally:
        await conn.close()


async def sample_activity(dsn: str, seconds: float) -> str:
    """Every 10 ms, the statements the other backends are running (`pg_stat_activity`, state
    active, wait events apart): a wall-clock sample of where the stack's PostgreSQL is busy."""
    conn = await asyncpg.connect(dsn)
    seen: dict[str, int] = defaultdict(int)
    samples = 0
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            rows = await conn.fetch(
                "SELECT query, wait_event_type, wait_event FROM pg_stat_activity WHERE state ="
                " 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            samples += 1
            for r in rows:
                waits = r["wait_event"] and f" [wait {r['wait_event_type']}:{r['wait_event']}]"
                wait = waits or ""
                seen[pgcpu._kind(r["query"]) + wait] += 1
            await asyncio.sleep(0.01)
    finally:
        await conn.close()
    lines = [
        f"{samples} samples of pg_stat_activity; active backends per sample:",
        "| statement | per sample |",
        "|---|---|",
    ]
    ranked = sorted(seen.items(), key=lambda kv: -kv[1])
    lines += [f"| {k} | {v / samples:.3f} |" for k, v in ranked]
    return "\n".join(lines)


async def serial_turns(dsn: str, turns: int, orders: int) -> None:
    """bench/booking_attempt_pg.py's 409 + 201 (`run_service`) and the raw loop's rows
    (`booking_pg_cpu raw`) on this PostgreSQL, alternating, one backend each: per statement."""
    pgcpu.Meter.install()
    for turn in range(turns):
        for name, run in (("api 409 + 201", run_service), ("raw", pgcpu.raw_side)):
            before = await _lsn(dsn)
            meter, made = await pgcpu.metered(dsn, run, 16, orders)
            wal = (await _lsn(dsn) - before) / made
            print(pgcpu.report(f"turn {turn + 1}, {name}", meter, made), flush=True)
            print(f"WAL bytes per order (warm-up's included pro rata): {wal:.0f}\n", flush=True)


async def _lsn(dsn: str) -> int:
    return await fetch_int(dsn, "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--port-base", type=int)
    parser.add_argument("--turns", type=int, default=0, help="serial turns before the load")
    parser.add_argument("--orders", type=int, default=20, help="per owner, per serial turn")
    args = parser.parse_args(argv)
    server, loadgen = plan_cores(available_cpus(), 1)
    pinned = server != loadgen
    with running_stack(1, server, pinned=pinned, sim_cores=loadgen, port_base=args.port_base) as s:
        set_sim_latency(s, dict.fromkeys(sim_airlines(s), 0.0))
        with database_url(s) as dsn:
            if args.turns:
                asyncio.run(serial_turns(dsn, args.turns, args.orders))
            load = booking_load(s, SETTLE_S + args.seconds, loadgen, pinned=pinned)
            time.sleep(SETTLE_S)
            print(asyncio.run(sample_activity(dsn, args.seconds)))
            print(load.communicate()[0].strip().splitlines()[-1])
            asyncio.run(inspect(dsn))


if __name__ == "__main__":
    main()
