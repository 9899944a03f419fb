"""Booking: the limits gate over 0113's index of open holds against 0148's covering one.

    python -m bench.booking_gate_index --database-url "$DATABASE_URL" \\
        [--open-holds 300] [--turns 3] [--calls 500] [--creates 40]

In a schema of its own (every migration applied; dropped after): 16 owners, each with
`--open-holds` held unpaid orders and as many paid ones, inserted one owner after the other in
turn (the owners' rows interleave on the heap's pages, as the benchmark's 16 travelers' do). Each
turn runs both sides, the order reversed every turn; a side is the index the gate's count may
use: `old` (0113's `orders_open_by_owner`) or `new` (0148's `orders_open_holds_by_owner`), the
other dropped. Per side, on one connection (its backend's CPU from `/proc/<pid>/schedstat`, as
bench/booking_gate_stack.py measures the gate):

- after VACUUM ANALYZE: the gate (`booking_open_holds`, its own statement: the lock and the
  count) per call, `--calls` calls, for an owner with the open holds and for one with none;
- the limited create (`PgOrderRepository.create` with the bench's limits and the key claimed in
  the statement, the API's create), `--creates` of them for an owner with the open holds and as
  many for a fresh owner: the median create's backend and client CPU; deleted after, then VACUUM;
- "fresh": every open hold updated (`updated_at`, as the `held` transition writes a new row
  version) and not vacuumed, as the benchmark's holds are seconds after their writes: the gate
  per call again (heap fetches: the new versions' pages are not all-visible yet).

EXPLAIN (ANALYZE, BUFFERS) of the count for the owner with the open holds, per side and state,
is printed on the first turn.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import cast

import asyncpg
import msgspec

from bench.booking_create_cpu import creates_cpu
from bench.booking_gate_stack import cpu_per_call
from skyfare.migrations import migrate
from tests.support.orders import new_order

# A traveler's open holds and their seats, counted as booking_open_holds (booking/sql/0147) counts
# them when no flight is counted ($1: the owner): the query whose plan 0148's index
# would serve.
OPEN_HOLDS_COUNT = """
SELECT count(*)::int, coalesce(sum(h.taken), 0)::int
FROM (
    SELECT coalesce(o.seats_taken, (SELECT count(*) FROM order_passengers p
            WHERE p.order_id = o.id AND p.type <> 'infant')) AS taken
    FROM orders o
    WHERE o.owner = $1 AND o.status IN ('pending', 'held')
      AND o.payment_status IN ('unpaid', 'failed')
) AS h"""

OWNERS = 16
INDEXES = {
    "old": "CREATE INDEX orders_open_by_owner ON orders (owner)"
    " WHERE status IN ('pending', 'held')",
    "new": "CREATE INDEX orders_open_holds_by_owner ON orders (owner)"
    " INCLUDE (payment_status, seats_taken, id) WHERE status IN ('pending', 'held')",
}
SEED = """
INSERT INTO orders (id, owner, booking_reference, type, status, payment_status, offer_id,
                    connector, total_amount, total_currency, slices, seats_taken)
SELECT 'ord_' || lpad(to_hex(n), 24, '0'), 'full-' || (n % 16), upper(lpad(to_hex(n), 6, '0')),
       'hold', CASE WHEN n / 16 % 2 = 0 THEN 'held' ELSE 'confirmed' END,
       CASE WHEN n / 16 % 2 = 0 THEN 'unpaid' ELSE 'paid' END, 'off_bench', 'fake', 612.40,
       'USD', $2::jsonb, 1
FROM generate_series(0, $1 - 1) AS n"""
HISTORY = """
INSERT INTO orders (id, owner, booking_reference, type, status, payment_status, offer_id,
                    connector, total_amount, total_currency, slices, seats_taken)
SELECT 'ord_' || lpad(to_hex(n), 24, '0'), 'past-' || (n % 1000), upper(lpad(to_hex(n), 6, '0')),
       'hold', 'confirmed', 'paid', 'off_bench', 'fake', 612.40, 'USD', $2::jsonb, 1
FROM generate_series(8388608, 8388608 + $1 - 1) AS n"""


async def use_index(conn: asyncpg.Connection, side: str) -> None:
    async with conn.transaction():
        for name in ("orders_open_by_owner", "orders_open_holds_by_owner"):
            await conn.execute(f"DROP INDEX IF EXISTS {name}")
        await conn.execute(INDEXES[side])
    await conn.execute("VACUUM ANALYZE orders")


async def _creates_us(pool: asyncpg.Pool, owner: str, creates: int) -> tuple[float, float]:
    """Backend and client µs per limited create of `owner`'s orders; the orders are deleted."""
    backend, client, made = await creates_cpu(pool, [owner], creates)
    await pool.execute("DELETE FROM orders WHERE id = ANY($1)", made)
    await pool.execute("DELETE FROM idempotency_keys WHERE owner = $1", owner)
    return backend, client


async def _explain(conn: asyncpg.Connection, owner: str) -> str:
    await conn.execute("SET plan_cache_mode = force_generic_plan")
    try:
        await conn.execute(f"PREPARE bench_count(text) AS {OPEN_HOLDS_COUNT}")
        rows = await conn.fetch(  # no parameters in EXPLAIN: the owner is ours, a literal
            f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) EXECUTE bench_count('{owner}')"
        )
        await conn.execute("DEALLOCATE bench_count")
    finally:
        await conn.execute("RESET plan_cache_mode")
    return "\n".join(row[0] for row in rows)


async def _side(
    pool: asyncpg.Pool, side: str, args: argparse.Namespace, explain: bool
) -> dict[str, float]:
    full, empty = "full-3", f"empty-{uuid.uuid4().hex[:8]}"
    out: dict[str, float] = {}
    async with pool.acquire() as proxy:
        conn = cast(asyncpg.Connection, proxy)  # the proxy forwards every method
        await use_index(conn, side)
        if explain:
            print(f"#### {side}, after VACUUM\n```\n{await _explain(conn, full)}\n```")
        out["gate_full"] = await cpu_per_call(conn, full, args.calls)
        out["gate_empty"] = await cpu_per_call(conn, empty, args.calls)
    out["create_full"], out["client_full"] = await _creates_us(pool, full, args.creates)
    out["create_empty"], out["client_empty"] = await _creates_us(pool, empty, args.creates)
    async with pool.acquire() as proxy:
        conn = cast(asyncpg.Connection, proxy)  # the proxy forwards every method
        await conn.execute("VACUUM ANALYZE orders")
        await conn.execute(
            "UPDATE orders SET updated_at = now() WHERE status = 'held' AND owner LIKE 'full-%'"
        )
        if explain:
            plan = await _explain(conn, full)
            print(f"#### {side}, fresh (updated, not vacuumed)\n```\n{plan}\n```")
        out["gate_fresh"] = await cpu_per_call(conn, full, args.calls)
        await conn.execute("VACUUM ANALYZE orders")
    return out


@asynccontextmanager
async def seeded_schema(url: str, open_holds: int, history: int = 0) -> AsyncIterator[str]:
    """A schema of its own (every migration applied, dropped after) holding `OWNERS` owners
    `full-N` with `open_holds` held unpaid orders and as many paid ones each, interleaved, after
    `history` paid orders of 1,000 other travelers (a table much larger than the open holds, as
    a deployment's is: the planner then reads few open holds through an index, not the table)."""
    schema = f"bench_gate_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(url)
    await admin.execute(f"CREATE SCHEMA {schema}")
    try:
        conn = await asyncpg.connect(url, server_settings={"search_path": schema})
        try:
            await migrate(conn, timeout=60)
            slices = msgspec.json.encode(new_order().slices).decode()
            await conn.execute(HISTORY, history, slices)
            await conn.execute(SEED, OWNERS * open_holds * 2, slices)
        finally:
            await conn.close()
        yield schema
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


async def _main(args: argparse.Namespace) -> None:
    results: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    async with (
        seeded_schema(args.database_url, args.open_holds) as schema,
        asyncpg.create_pool(
            args.database_url, min_size=1, max_size=1, server_settings={"search_path": schema}
        ) as pool,
    ):
        for turn in range(args.turns):
            for side in ("old", "new") if turn % 2 == 0 else ("new", "old"):
                measured = await _side(pool, side, args, explain=turn == 0)
                print(f"turn {turn + 1} {side}: " + ", ".join(
                    f"{k} {v:.0f}" for k, v in measured.items()), flush=True)  # fmt: skip
                for key, value in measured.items():
                    results[side][key].append(value)
    print(f"\n{args.open_holds} open holds per owner; median µs of {args.turns} turns")
    print("| side | " + " | ".join(results["old"]) + " |")
    print("|---" * (len(results["old"]) + 1) + "|")
    for side, values in results.items():
        cells = " | ".join(f"{statistics.median(v):.0f}" for v in values.values())
        print(f"| {side} | {cells} |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--open-holds", type=int, default=300, help="per owner")
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--calls", type=int, default=500, help="gate calls per owner")
    parser.add_argument("--creates", type=int, default=40, help="creates per owner")
    asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
