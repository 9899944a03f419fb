"""What a connection pool of our own could save the hold's client side: instructions counted by
callgrind for asyncpg's `Pool` and for `MinimalPool` (below, bench-only: not a proposal's code),
each behind `booking.pg.Database` as the API worker uses it, on one connection, uvloop.

    python -m bench.booking_pool_callgrind --database-url "$DATABASE_URL" [--steps …] [--runs 1000]

Steps, each `<what>:<pool>` with pool `asyncpg` or `minimal`:
- `lease`: `Database.connection()` around an empty block (an acquire and a release);
- `service`: `OrderService.create` as `bench/booking_service_cpu.py` drives it, per order made
  (one attempt whose re-price the airline refuses, a 409, and one 201; 16 owners);
- `refused`: the 409's attempt alone (the key's look-up, the refused re-price), per attempt.
Every step runs `--runs` times (service: `--orders` rounds of 16) to warm up, then as many
counted (`bench.ceiling_callgrind.counted`). The same process's statements and the same rows
either way: the difference is the pool's own work (its acquire, release, reset, the proxy that
forwards each statement's method).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg

from bench.callgrind_steps import add_step_options, ran_child, step_counted
from bench.ceiling_callgrind import driven

STEPS = tuple(
    f"{what}:{pool}" for what in ("lease", "service", "refused") for pool in ("asyncpg", "minimal")
)


class MinimalPool:
    """The least a pool must do for `Database`: an idle connection at once, else wait in turn
    within the acquire's timeout; on release, a connection left in a transaction is rolled back
    and a closed one dropped (no reconnects, no sizing: enough to count, not to deploy)."""

    def __init__(self, connections: Sequence[asyncpg.Connection]) -> None:
        self._idle = collections.deque(connections)
        self._waiters: collections.deque[asyncio.Future[asyncpg.Connection]] = collections.deque()

    async def acquire(self, *, timeout: float | None = None) -> asyncpg.Connection:
        if self._idle:
            return self._idle.pop()
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        async with asyncio.timeout(timeout):
            return await waiter

    async def release(self, conn: asyncpg.Connection, *, timeout: float | None = None) -> None:
        if conn.is_closed():
            return
        if conn.is_in_transaction():
            await conn.execute("ROLLBACK", timeout=timeout)
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self._idle.append(conn)


async def refused_attempts(pool: Any, owners: int, rounds: int) -> int:
    """`rounds` × `owners` attempts whose re-price is refused (409), as `run_service` makes."""
    from bench.booking_service_cpu import run_service

    return await run_service(pool, owners, rounds, refused_only=True)


async def _pool(url: str, kind: str) -> Any:
    from skyfare.postgres import StatelessConnection

    if kind == "asyncpg":
        return await asyncpg.create_pool(
            url, min_size=1, max_size=1, connection_class=StatelessConnection
        )
    return MinimalPool([await asyncpg.connect(url, connection_class=StatelessConnection)])


async def _child(url: str, step: str, runs: int) -> None:
    from bench.booking_service_cpu import run_service
    from booking.pg import Database

    what, kind = step.split(":")
    pool = await _pool(url, kind)
    db = Database(pool, timeout_s=30.0)

    async def lease() -> None:
        async with db.connection():
            pass

    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "lease": lease,
        "service": lambda: run_service(pool, 16, 1),
        "refused": lambda: refused_attempts(pool, 16, 1),
    }
    call = calls[what]
    await driven(call, runs)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_step_options(
        parser, STEPS, orders_help="service, refused: rounds of 16", runs_help="lease: runs"
    )
    args = parser.parse_args(argv)
    if ran_child(args, _child):
        return
    # per run (lease), per order made (service), per attempt (refused)
    print("| step | instructions |")
    print("|---|---|")
    for step in args.steps.split(","):
        runs = args.runs if step.startswith("lease") else args.orders
        per = step_counted(
            "bench.booking_pool_callgrind", step, args.database_url, runs, label=step
        )
        per /= 1 if step.startswith("lease") else 16
        print(f"| {step} | {per:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
