"""PostgreSQL's own CPU per statement of a hold, the API's code beside the raw loop's statements.

    python -m bench.booking_pg_cpu --database-url "$DATABASE_URL" [--owners 16] [--orders 70]

One connection, so one backend, and nothing else on it: before and after every statement this
process reads the backend's `/proc/<pid>/schedstat` (CPU time run, in ns: the parse, bind,
execution, commit with its WAL flush, the socket reads and writes — all of PostgreSQL's work for
that statement but the background writers'), and its own CPU (`time.process_time`: asyncpg and
the repository's Python, as an API worker would spend them). Sides, each `owners × orders`
holds written one owner after the other in turn (as the benchmark's 16 travelers do, each
owner's open holds grow to `orders`):

- `api`: the repository's calls of `POST /v1/orders` (hold) with a traveler's limits (the
  harness's stack has them, set far above what a run reaches): claim the key
  (`PgIdempotencyStore.claim`), insert the order (`PgOrderRepository.create` with `limits`: BEGIN
  with the owner's lock, the open holds, the insert, COMMIT), `pending → held` with its stored
  answer (`transition(expected=…)`); and, one attempt in two as in the benchmark, a 409's claim
  and release (the re-price refused the offer before anything was written).
- `api-nolimits`: the same without limits (a deployment with the caps at 0).
- `raw`: `bench/booking_sql.py`'s three statements.

Prints a table of statements (grouped by their text's first words) with calls per order and
microseconds of backend CPU and client CPU per call and per order. The database needs the
migrated schema (`skyfare migrate`); the rows written belong to owners of their own and stay.
`BENCH_PIN_CORE=N` (run the client under `taskset -c N` too) pins the backend to core N.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from bench import booking_sql as sql
from booking.creation import created_response
from booking.idempotency import Completion, PgIdempotencyStore
from booking.limits import OrderLimits, held_change
from booking.model import NewOrder, Order, Passenger
from booking.pg import Database
from booking.references import new_order_id
from booking.repository import PgOrderRepository
from connectors.model import Hold, Slice
from skyfare.postgres import StatelessConnection

BENCH_LIMITS = OrderLimits(1_000_000, 1_000_000, 1_000_000)  # bench/harness_stack.py's
ADA = Passenger("adult", "Ada", "Lovelace", dt.date(1990, 12, 10), "f", "ada@example.com",
                "+442071838750")  # fmt: skip


def _slices() -> tuple[Slice, ...]:
    return msgspec.json.decode(sql.SLICES.encode(), type=tuple[Slice, ...])


def backend_run_ns(pid: int) -> int:
    """CPU time a process has run, in ns (`/proc/<pid>/schedstat`'s first field)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


class Meter:
    """CPU of one backend (ns from schedstat) and of this process, per statement kind."""

    def __init__(self) -> None:
        self.backend = 0
        self.calls: dict[str, int] = defaultdict(int)
        self.server_ns: dict[str, int] = defaultdict(int)
        self.client_ns: dict[str, int] = defaultdict(int)
        self.on = False

    def _run_ns(self) -> int:
        return backend_run_ns(self.backend)

    @staticmethod
    def install() -> None:
        """Time every statement asyncpg sends, for whichever meter is `_METERS[0]` then."""
        connection = asyncpg.connection.Connection
        execute: Any = connection.execute
        extended: Any = connection._execute  # type: ignore[attr-defined]

        async def timed(call: Callable[[], Awaitable[Any]], query: str) -> Any:
            meter = _METERS[0]
            if not meter.on:
                return await call()
            server, client = meter._run_ns(), time.process_time_ns()
            try:
                return await call()
            finally:
                kind = _kind(query)
                meter.client_ns[kind] += time.process_time_ns() - client
                meter.server_ns[kind] += meter._run_ns() - server
                meter.calls[kind] += 1

        async def noted_execute(self: object, query: str, *args: object, **kw: object) -> object:
            if args:  # goes through `_execute`, timed there
                return await execute(self, query, *args, **kw)
            return await timed(lambda: execute(self, query, *args, **kw), query)

        async def noted_extended(self: object, query: str, *args: object, **kw: object) -> object:
            return await timed(lambda: extended(self, query, *args, **kw), query)

        connection.execute = noted_execute  # type: ignore[method-assign,assignment]
        connection._execute = noted_extended  # type: ignore[attr-defined]


_NAMES = (
    ("claim AS (", "claim the key + insert the order (+ lock, open holds), one statement"),
    ("SELECT request_method", "look the key up (read-only)"),
    ("booking_open_holds(", "the owner's lock + open holds + insert the order, one statement"),
    ("INSERT INTO idempotency_keys", "claim the key"),
    ("WITH forgotten AS", "release the key (409)"),
    ("pg_advisory_xact_lock", "BEGIN + the owner's lock"),
    ("SELECT o.slices", "the owner's open holds"),
    ("WITH o AS", "insert the order (+ passengers, history, event, recovery point)"),
    ("WITH moved AS", "pending → held (+ history, event, stored answer)"),
    ("COMMIT", "COMMIT"),
    ("BEGIN", "BEGIN"),
)


def _kind(query: str) -> str:
    for needle, name in _NAMES:
        if needle in query:
            return name
    return " ".join(query.split())[:60]


async def api_side(
    pool: asyncpg.Pool, owners: int, orders: int, limits: OrderLimits | None, tag: str
) -> int:
    db = Database(pool, timeout_s=30.0)
    repository, keys = PgOrderRepository(db), PgIdempotencyStore(db, lease_s=30.0)
    run = f"bench-pgcpu-{tag}-{uuid.uuid4().hex[:8]}"
    fp = keys_fingerprint()
    made = 0
    for _ in range(orders):
        for o in range(owners):
            owner = f"{run}-{o}"
            # The benchmark's 409: claimed, the re-price refuses, released (nothing written).
            refused = uuid.uuid4().hex
            await keys.claim(owner, refused, fp)
            await keys.release(owner, refused)
            key = uuid.uuid4().hex
            await keys.claim(owner, key, fp)
            new = NewOrder(
                id=new_order_id(), owner=owner, type="hold", offer_id="off_bench",
                connector="rest-britannia", total_amount=Decimal("612.40"),
                total_currency="USD", slices=_slices(), passengers=(ADA,),
            )  # fmt: skip
            order = await repository.create(new, actor=owner, idempotency_key=key, limits=limits)
            await mark_held(repository, order, owner, key)
            made += 1
    return made


async def mark_held(repository: PgOrderRepository, order: Order, owner: str, key: str) -> None:
    """`pending → held` + history, event, stored answer, as after the airline's hold."""
    hold = Hold(
        locator="PNR" + order.booking_reference[:3],
        reference=order.id,
        status="held",
        payment_required_by=order.created_at.replace(year=order.created_at.year + 1),
        total_amount=Decimal("612.40"),
        total_currency="USD",
    )
    change = held_change(order, hold, None, "held at the airline")
    completion = Completion(owner, key, created_response)
    held = await repository.transition(
        order.id, change, actor="booking", completion=completion, expected=order
    )
    if held is None or held.version is None:
        raise RuntimeError(f"{order.id} was not held by its one statement")


def keys_fingerprint() -> Any:
    from booking.idempotency import fingerprint

    return fingerprint("POST", "/v1/orders", {"offer_id": "off_bench"})


async def raw_side(pool: asyncpg.Pool, owners: int, orders: int) -> int:
    run = f"bench-pgcpu-raw-{uuid.uuid4().hex[:8]}"
    for _ in range(orders):
        for o in range(owners):
            await sql.write_order(pool, f"{run}-{o}", timeout_s=30.0)
    return owners * orders


def report(name: str, meter: Meter, made: int) -> str:
    lines = [
        f"### {name}: {made} orders",
        "",
        "| statement | calls/order | PG µs/call | PG µs/order | client µs/call |",
        "|---|---|---|---|---|",
    ]
    for kind in sorted(meter.calls, key=lambda k: -meter.server_ns[k]):
        calls = meter.calls[kind]
        server_us, client_us = meter.server_ns[kind] / 1000, meter.client_ns[kind] / 1000
        lines.append(
            f"| {kind} | {calls / made:.2f} | {server_us / calls:.0f} | {server_us / made:.0f} | "
            f"{client_us / calls:.0f} |"
        )
    total_server = sum(meter.server_ns.values()) / made / 1000
    total_client = sum(meter.client_ns.values()) / made / 1000
    lines.append(
        f"| **per order** | {sum(meter.calls.values()) / made:.2f} | | **{total_server:.0f}** | "
        f"({total_client:.0f} per order) |"
    )
    return "\n".join(lines)


async def metered(
    url: str, run: Callable[[asyncpg.Pool, int, int], Awaitable[int]], owners: int, orders: int
) -> tuple[Meter, int]:
    """`run(pool, owners, orders)` (it returns the orders it made) on a pool of one connection,
    every statement metered, after an unmetered warm-up that writes a few orders: asyncpg's type
    introspection, the prepared statements and PostgreSQL's plans are a connection's, not an
    order's, cost."""
    meter = Meter()
    pool = await asyncpg.create_pool(
        url, min_size=1, max_size=1, connection_class=StatelessConnection
    )
    try:
        meter.backend = await pool.fetchval("SELECT pg_backend_pid()")
        if core := os.environ.get("BENCH_PIN_CORE"):  # the backend on the client's one core,
            os.sched_setaffinity(meter.backend, {int(core)})  # as the stack's core 0 has them
        _METERS[0] = meter
        await run(pool, 2, 3)
        meter.on = True
        made = await run(pool, owners, orders)
        meter.on = False
    finally:
        await pool.close()
    return meter, made


async def main_async(args: argparse.Namespace) -> None:
    Meter.install()
    for side in args.sides.split(","):

        async def run(pool: asyncpg.Pool, owners: int, orders: int, side: str = side) -> int:
            return await _side(side, pool, owners, orders)

        meter, made = await metered(args.database_url, run, args.owners, args.orders)
        print(report(side, meter, made) + "\n", flush=True)


_METERS: list[Meter] = [Meter()]


async def _side(side: str, pool: asyncpg.Pool, owners: int, orders: int) -> int:
    if side == "raw":
        return await raw_side(pool, owners, orders)
    limits = None if side == "api-nolimits" else BENCH_LIMITS
    return await api_side(pool, owners, orders, limits, side)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--owners", type=int, default=16)
    parser.add_argument("--orders", type=int, default=70, help="per owner")
    parser.add_argument("--sides", default="raw,api,api-nolimits")
    asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
