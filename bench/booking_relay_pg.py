"""PostgreSQL's CPU for the outbox relay's statements per event published (the raw loop writes its
events already published, so its PostgreSQL does none of this work).

    python -m bench.booking_relay_pg --database-url "$DATABASE_URL" [--batch 60] [--batches 50]

One connection: the backend's schedstat (bench/booking_pg_cpu.py's `Meter` reading) around each
batch of booking/relay.py's statements (BEGIN, the relay's try-lock, the batch's SELECT … FOR
UPDATE, the age query, the UPDATE marking it published, COMMIT), no Redis write. Needs unpublished
rows in `outbox` (bench.booking_attempt_pg leaves them: two per order made); it publishes them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from collections.abc import Sequence

import asyncpg

from bench.booking_pg_cpu import backend_run_ns
from booking import relay


async def _main(url: str, batch: int, batches: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        per_event = []
        for _ in range(batches):
            before = backend_run_ns(pid)
            async with conn.transaction():
                await conn.fetchval(relay._TRY_LOCK, 1)
                rows = await conn.fetch(relay._SELECT_BATCH, batch)
                await conn.fetchval(relay._OLDEST_AGE)
                await conn.execute(relay._MARK_PUBLISHED, [r["id"] for r in rows])
            used = backend_run_ns(pid) - before
            if not rows:
                break
            per_event.append(used / len(rows) / 1000)
        print(
            f"batches {len(per_event)} of ≤ {batch}: PG µs per event published, median "
            f"{statistics.median(per_event):.0f} (min {min(per_event):.0f}, "
            f"max {max(per_event):.0f})"
        )
    finally:
        await conn.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--batch", type=int, default=60)
    parser.add_argument("--batches", type=int, default=50)
    args = parser.parse_args(argv)
    asyncio.run(_main(args.database_url, args.batch, args.batches))


if __name__ == "__main__":
    main()
