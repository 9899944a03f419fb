"""WAL written per order made, the API's statements beside the raw loop's, by relation and record.

    python -m bench.booking_wal --database-url URL [--orders 10] [--turns 2]

Needs PostgreSQL 15+ with the `pg_walinspect` extension (`CREATE EXTENSION pg_walinspect` in
the database; the stack's embedded server has none, Debian's postgresql-15 has it) and the
database migrated (it migrates it). Serial, on one connection: warm-up first (the statements
prepared, the pages touched since the last checkpoint: no full-page images in the figures), then
per turn `bench.booking_service_cpu.run_service` (a 409 and a 201 per order made, as
`POST /v1/orders` makes them) and `bench.booking_pg_cpu.raw_side` (the raw loop's statements),
16 owners × `--orders`. Prints each side's WAL bytes per order made and the records that write
at least 40 bytes per order, by relation (`pg_get_wal_records_info` over the side's LSN range).
Nothing else may write to the server meanwhile: its WAL is the server's, not the database's.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from bench.booking_pg_cpu import raw_side
from bench.booking_service_cpu import run_service
from skyfare.migrations import migrate

Side = Callable[[asyncpg.Pool, int, int], Awaitable[int]]
_RELATION = re.compile(r"rel \d+/\d+/(\d+)")
SHOWN_BYTES = 40  # per order made: smaller rows are left out of the table


async def wal_of(pool: asyncpg.Pool, name: str, side: Side, owners: int, orders: int) -> None:
    start = await pool.fetchval("SELECT pg_current_wal_insert_lsn()")
    made = await side(pool, owners, orders)
    end = await pool.fetchval("SELECT pg_current_wal_insert_lsn()")
    records = await pool.fetch(
        "SELECT resource_manager || '/' || record_type AS kind, record_length, fpi_length,"
        " block_ref FROM pg_get_wal_records_info($1, $2)",
        start,
        end,
    )
    total = sum(r["record_length"] for r in records)
    images = sum(r["fpi_length"] for r in records)
    per_order = f"{total / made:.0f} WAL bytes per order made ({images / made:.0f} in full-page"
    print(f"\n{name}: {made} orders, {per_order} images), {len(records) / made:.1f} records")
    names: dict[int, str] = {}
    rows: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for record in records:
        relation = "-"
        if match := _RELATION.search(record["block_ref"] or ""):
            node = int(match.group(1))
            if node not in names:
                names[node] = await pool.fetchval(
                    "SELECT coalesce(pg_filenode_relation(0, $1::oid)::text, $1::text)", node
                )
            relation = names[node]
        row = rows[relation, record["kind"]]
        row[0] += 1
        row[1] += record["record_length"]
    print("| relation | record | per order made: records | bytes |\n|---|---|---|---|")
    for (relation, kind), (count, size) in sorted(rows.items(), key=lambda kv: -kv[1][1]):
        if size / made >= SHOWN_BYTES:
            print(f"| {relation} | {kind} | {count / made:.2f} | {size / made:.0f} |")


async def _main(url: str, orders: int, turns: int) -> None:
    async with asyncpg.create_pool(url, min_size=1, max_size=1) as pool:
        await migrate(pool, timeout=60)
        for _ in range(2):
            await run_service(pool, 16, 5)
            await raw_side(pool, 16, 5)
        for turn in range(1, turns + 1):
            await wal_of(pool, f"API (409 + 201), turn {turn}", run_service, 16, orders)
            await wal_of(pool, f"raw loop, turn {turn}", raw_side, 16, orders)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--orders", type=int, default=10, help="per owner, 16 owners")
    parser.add_argument("--turns", type=int, default=2)
    args = parser.parse_args(argv)
    asyncio.run(_main(args.database_url, args.orders, args.turns))


if __name__ == "__main__":
    main()
