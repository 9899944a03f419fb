"""The client process's CPU per order made by `OrderService.create` (`run_service`: a 409 and a
201 per order made, 16 owners, one connection, uvloop) behind asyncpg's `Pool` and behind
`bench.booking_pool_callgrind.MinimalPool`, alternating turns in one process; and the lease alone.

    python -m bench.booking_pool_cpu --database-url "$DATABASE_URL" [--turns 6] [--orders 20]

CPU is `time.process_time_ns()` (user + system: the kernel's socket work included), so it is
read per turn, side by side, not against another run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence

import uvloop

from bench.booking_pool_callgrind import _pool
from bench.booking_service_cpu import run_service
from booking.pg import Database

KINDS = ("asyncpg", "minimal")


async def _turns(url: str, turns: int, orders: int, leases: int) -> None:
    pools = {kind: await _pool(url, kind) for kind in KINDS}
    for pool in pools.values():
        await run_service(pool, 16, 2)  # warm: statements prepared, code paths taken
    service: dict[str, list[float]] = {kind: [] for kind in KINDS}
    lease: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for turn in range(turns):
        for kind in KINDS if turn % 2 == 0 else KINDS[::-1]:
            started = time.process_time_ns()
            made = await run_service(pools[kind], 16, orders)
            service[kind].append((time.process_time_ns() - started) / made / 1000)
            db = Database(pools[kind], timeout_s=30.0)
            started = time.process_time_ns()
            for _ in range(leases):
                async with db.connection():
                    pass
            lease[kind].append((time.process_time_ns() - started) / leases / 1000)
    for name, figures in (("service, µs per order made", service), ("lease, µs", lease)):
        for kind in KINDS:
            turns_ = ", ".join(f"{v:.1f}" for v in figures[kind])
            print(f"| {name} | {kind} | {turns_} | **{statistics.median(figures[kind]):.1f}** |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--orders", type=int, default=20, help="per owner and turn")
    parser.add_argument("--leases", type=int, default=20000, help="per turn")
    args = parser.parse_args(argv)
    uvloop.install()
    print("| what | pool | per turn | median |")
    print("|---|---|---|---|")
    asyncio.run(_turns(args.database_url, args.turns, args.orders, args.leases))


if __name__ == "__main__":
    main()
