"""Instructions PostgreSQL executes per limited create (`PgOrderRepository.create` as
`POST /v1/orders` calls it: the gate, the key's claim, the order's rows) and per count of the
limits gate, counted by callgrind: free of a busy machine's noise, which moves schedstat's CPU
time here by more than what is compared (issue 18).

Needs a PostgreSQL of one's own run under callgrind, each backend counted from its start and
written to `<out-dir>/cg.<pid>` when it exits (fsync, the commit's flush and autovacuum off: not
what is compared), e.g. as the `postgres` user:

    initdb -D DATA -A trust -U postgres      # then port, fsync = off, synchronous_commit = off,
                                             # autovacuum = off in DATA/postgresql.conf
    valgrind --tool=callgrind --trace-children=yes --callgrind-out-file=OUT/cg.%p \\
        postgres -D DATA

    python -m bench.booking_pg_callgrind --database-url URL --out-dir OUT \\
        creates --trees /path/to/base,/path/to/this [--creates 64]
    python -m bench.booking_pg_callgrind --database-url URL --out-dir OUT gate [--open-holds 300]
    python -m bench.booking_pg_callgrind --database-url URL --out-dir OUT \\
        holds --trees /path/to/base,/path/to/this [--creates 64]

A figure is the difference of two backends' totals divided by the work's count: one connection
warms up (connection start, catalog caches, the statements prepared and planned) and then does
the work, the other only warms up.
- `creates`: per tree (a process of its own, `PYTHONPATH=<tree>`, cwd the tree), `--creates`
  creates by 16 fresh owners in turn after `WARM` (their open holds: 0 up to creates / 16).
  Copy this file, bench/booking_create_cpu.py and bench/trees.py into the base's `bench/`.
- `holds`: as `creates`, each create followed by its `held` with its stored answer, in one
  statement as a hold's own request makes it (`PgOrderRepository.transition` given the order
  as created): per create + `held`. Minus `creates`' figure: the `held` statement's.
- `gate`: in a schema of its own seeded as bench/booking_gate_index.py does (16 owners with
  `--open-holds` open holds and as many paid orders, interleaved, after `--history` paid orders
  of other travelers), with each index (`old`: 0113's,
  `new`: 0148's) after VACUUM: the gate per call for an owner with the open holds and for one
  with none, and a create per call for each; then with every open hold updated and not vacuumed
  (`fresh`, as the benchmark's are), the gate per call again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import asyncpg
import msgspec

from bench.booking_create_cpu import FINGERPRINT, creates_cpu, side_by_side
from bench.booking_pg_cpu import BENCH_LIMITS
from booking.creation import created_response
from booking.idempotency import Completion, NewKey
from booking.pg import Database
from booking.repository import PgOrderRepository
from tests.support.orders import HOLD, new_order

Work = Callable[[asyncpg.Pool, int], Awaitable[object]]
# Warm-up runs of a statement: PostgreSQL plans a prepared statement afresh for its first five
# executions (custom plans) before it settles on a plan; the counted runs come after.
WARM = 8


def backend_total(out_dir: Path, pid: int, timeout_s: float = 120.0) -> int:
    """The instructions of backend `pid`, from its callgrind file (written once it exited)."""
    path = out_dir / f"cg.{pid}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists():
            for line in reversed(path.read_text().splitlines()):
                if line.startswith("totals:"):
                    return int(line.split()[1])
        time.sleep(0.2)
    raise TimeoutError(f"no totals in {path}")


async def _backend(url: str, settings: dict[str, str], work: Work, count: int) -> int:
    """Runs `work(pool, count)` on a pool of one connection, closed after; its backend's pid."""
    async with asyncpg.create_pool(url, min_size=1, max_size=1, server_settings=settings) as pool:
        pid: int = await pool.fetchval("SELECT pg_backend_pid()")
        await work(pool, count)
    return pid


async def per_unit(
    url: str, out_dir: Path, work: Work, count: int, warm: int, settings: dict[str, str]
) -> float:
    """Instructions per unit of `work`: (warm-up + `count`) − (warm-up alone), ÷ `count`."""

    async def warm_then(pool: asyncpg.Pool, n: int) -> None:
        await work(pool, warm)
        if n:
            await work(pool, n)

    measured = await _backend(url, settings, warm_then, count)
    alone = await _backend(url, settings, warm_then, 0)
    return (backend_total(out_dir, measured) - backend_total(out_dir, alone)) / count


def _creates_of(run: str) -> Work:
    owners = [f"{run}-{o}" for o in range(16)]

    async def creates(pool: asyncpg.Pool, n: int) -> None:
        await creates_cpu(pool, owners, n, warm=0)

    return creates


def _holds_of(run: str) -> Work:
    owners = [f"{run}-{o}" for o in range(16)]

    async def holds(pool: asyncpg.Pool, n: int) -> None:
        repository = PgOrderRepository(Database(pool, timeout_s=30.0))
        for i in range(n):
            owner = owners[i % len(owners)]
            claim = NewKey(owner, uuid.uuid4().hex, FINGERPRINT, lease_s=30.0, ttl_s=86400.0)
            order = await repository.create(
                new_order(owner, offer_id="off_bench"),
                actor=owner,
                limits=BENCH_LIMITS,
                claim=claim,
            )
            # As `held_change` makes it: the airline's locator, deadline and total.
            change = msgspec.structs.replace(
                HOLD, total_amount=order.total_amount, total_currency=order.total_currency
            )
            answer = Completion(owner, claim.key, created_response)
            held = await repository.transition(
                order.id, change, actor="booking", completion=answer, expected=order
            )
            assert held is not None

    return holds


async def _one_side(url: str, out_dir: Path, creates: int, what: str) -> dict[str, float]:
    run = f"bench-cg-{uuid.uuid4().hex[:8]}"
    work = _holds_of(run) if what == "holds" else _creates_of(run)
    return {"pg_ir": await per_unit(url, out_dir, work, creates, WARM, {})}


async def _gate(
    url: str, out_dir: Path, open_holds: int, history: int, calls: int, creates: int
) -> None:
    from bench.booking_gate_index import seeded_schema, use_index
    from bench.booking_gate_stack import GATE

    async with seeded_schema(url, open_holds, history) as schema:
        settings = {"search_path": schema}
        conn = await asyncpg.connect(url, server_settings=settings)

        def gate_of(owner: str) -> Work:
            async def gate(pool: asyncpg.Pool, n: int) -> None:
                for _ in range(n):
                    await pool.fetch(GATE, owner)

            return gate

        def creates_of(owner: str) -> Work:
            async def made(pool: asyncpg.Pool, n: int) -> None:
                _, _, ids = await creates_cpu(pool, [owner], n, warm=0)
                await pool.execute("DELETE FROM orders WHERE id = ANY($1)", ids)

            return made

        print(f"{open_holds} open holds per owner, {history} other orders;"
              " instructions per call (thousands)")  # fmt: skip
        print("| index | gate, open holds | gate, none | create, open holds | create, none |"
              " gate, fresh |\n|---|---|---|---|---|---|")  # fmt: skip
        for side in ("old", "new"):
            await use_index(conn, side)
            cells = [
                await per_unit(url, out_dir, gate_of("full-3"), calls, WARM, settings),
                await per_unit(url, out_dir, gate_of("nobody"), calls, WARM, settings),
                await per_unit(url, out_dir, creates_of("full-5"), creates, WARM, settings),
                await per_unit(url, out_dir, creates_of("nobody"), creates, WARM, settings),
            ]
            await conn.execute("VACUUM ANALYZE orders")
            await conn.execute(
                "UPDATE orders SET updated_at = now() WHERE status = 'held' AND owner = 'full-3'"
            )
            await conn.fetch(GATE, "full-3")  # the first scan marks the old versions dead
            cells.append(await per_unit(url, out_dir, gate_of("full-3"), calls, WARM, settings))
            await conn.execute("VACUUM ANALYZE orders")
            print(f"| {side} | " + " | ".join(f"{c / 1000:.0f}" for c in cells) + " |", flush=True)
        await conn.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--out-dir", type=Path, required=True, help="the server's callgrind files")
    parser.add_argument("what", choices=("creates", "holds", "gate"))
    parser.add_argument("--trees", help="creates: comma-separated checkouts, the base first")
    parser.add_argument("--turns", type=int, default=2)
    parser.add_argument("--creates", type=int, default=64)
    parser.add_argument("--open-holds", type=int, default=300, help="gate: per owner")
    parser.add_argument("--calls", type=int, default=100, help="gate: calls per figure")
    parser.add_argument("--history", type=int, default=0, help="gate: other travelers' orders")
    parser.add_argument("--one-side", action="store_true", help="(internal) measure this tree")
    args = parser.parse_args(argv)
    url, out = args.database_url, args.out_dir
    if args.what == "gate":
        asyncio.run(_gate(url, out, args.open_holds, args.history, args.calls, args.creates))
    elif args.one_side:
        print(json.dumps(asyncio.run(_one_side(url, out, args.creates, args.what))))
    elif not args.trees:
        parser.error(f"{args.what}: --trees is required")
    else:
        _compare(args.trees, args.turns, args.what, [
            "--database-url", url, "--out-dir", str(out), args.what, "--creates", str(args.creates)
        ])  # fmt: skip


def _compare(trees: str, turns: int, what: str, options: list[str]) -> None:
    unit = "create + held" if what == "holds" else "create"

    def shown(r: dict[str, float]) -> str:
        return f"PG {r['pg_ir'] / 1000:.1f} k instructions per {unit}"

    rows = side_by_side("bench.booking_pg_callgrind", trees, turns, options, shown)
    print(f"\n| tree | PG k instructions per {unit}, per turn |\n|---|---|")
    for tree, runs in rows.items():
        print(f"| {tree} | " + ", ".join(f"{r['pg_ir'] / 1000:.1f}" for r in runs) + " |")


if __name__ == "__main__":
    main()
