"""Instructions per order made by `OrderService.create` in one process, counted by callgrind: the
booking core's own CPU (the service's Python, asyncpg, the in-process airline), a figure a busy
machine does not move as it moves `bench.booking_service_cpu`'s CPU time.

    DATABASE_URL=… python -m bench.booking_callgrind [--owners 4] [--orders 10] [--tree DIR]

The loop is `bench.booking_service_cpu.run_service` (a refused re-price, then an order, per
owner in turn) on uvloop, as an API worker runs it, over a pool of one connection; a warm-up
writes a few orders first (asyncpg's type introspection, the prepared statements). Instructions
are counted from "ready" to "done" (`bench.ceiling_callgrind.counted`) and divided by the orders
made, their refused attempts included. User space of this process only: PostgreSQL's CPU and the
kernel's socket work are not counted. The interpreter is the one running this tool
(`sys.executable`): run it from two venvs to compare CPython releases on the same code.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bench.ceiling_callgrind import counted


async def _child(url: str, owners: int, orders: int) -> None:
    import asyncpg

    from bench.booking_service_cpu import run_service

    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    try:
        await run_service(pool, 2, 3)
        print("ready", flush=True)
        sys.stdin.readline()
        await run_service(pool, owners, orders)
        print("done", flush=True)
        sys.stdin.readline()
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--owners", type=int, default=4)
    parser.add_argument("--orders", type=int, default=10, help="per owner")
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    if args.child:
        import uvloop

        uvloop.run(_child(url, args.owners, args.orders))
        return
    driver = ["-m", "bench.booking_callgrind", "--child"]
    driver += ["--owners", str(args.owners), "--orders", str(args.orders)]
    made = args.owners * args.orders
    per_order = counted(driver, made, "booking", tree=args.tree)
    print(f"{per_order:,} instructions per order ({made} orders)", flush=True)


if __name__ == "__main__":
    main()
