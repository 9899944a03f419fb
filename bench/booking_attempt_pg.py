"""PostgreSQL's CPU for a hold's two kinds of attempt, apart: the 201's and the 409's (the
re-price refused: the fare moved, as the benchmark sees about once per 201).

    python -m bench.booking_attempt_pg --database-url "$DATABASE_URL" [--orders 40] [--turns 2]

Serial, one backend, `bench/booking_pg_cpu.py`'s `Meter` (the backend's schedstat and this
process's CPU around every statement): `run_service` (a 409 and a 201 per order made, as
`bench/booking_service_cpu.py` drives `OrderService.create`), then the 409's attempt alone
(`bench.booking_pool_callgrind.refused_attempts`), per attempt; `--turns` times each.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from bench import booking_pg_cpu as pgcpu
from bench.booking_pool_callgrind import refused_attempts
from bench.booking_service_cpu import run_service


async def _main(url: str, orders: int, turns: int) -> None:
    pgcpu.Meter.install()
    sides = (
        ("409 + 201, per order made", run_service),
        ("the 409's attempt alone, per attempt", refused_attempts),
    )
    for _ in range(turns):
        for name, run in sides:
            meter, made = await pgcpu.metered(url, run, 16, orders)
            print(pgcpu.report(name, meter, made))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--orders", type=int, default=40, help="per owner")
    parser.add_argument("--turns", type=int, default=2)
    args = parser.parse_args(argv)
    asyncio.run(_main(args.database_url, args.orders, args.turns))


if __name__ == "__main__":
    main()
