"""PostgreSQL's and the client's CPU per order made: today's hold statements vs the claim folded
into the insert (bench/booking_one_call.sql's `bench_hold_create`), alternating, medians.

    psql "$DATABASE_URL" -f bench/booking_one_call.sql      # once, on a bench database
    python -m bench.booking_one_call --database-url "$DATABASE_URL" [--turns 5] [--orders 70]

The method of bench/booking_pg_cpu.py (its `Meter`: one connection, `/proc/<pid>/schedstat` of
its backend and this process's CPU around every statement), the same 16 owners, one 409 per 201,
the benchmark's limits. Sides, the order of the sides reversed every turn:

- `api`: today's calls (`booking_pg_cpu.api_side`): the 409's claim + release; the 201's claim,
  the limited insert, `pending → held` with its stored answer. 5 round trips per order made.
- `fold`: every attempt first reads its key (read-only: a replay or a request in flight is still
  answered before the airline is called); the re-price; the 201's claim + limited insert in one
  call (`bench_hold_create`), then the same `held` statement. The 409 writes nothing. 4 round
  trips, 2 of them read-only.
- `fold-bare`: the same without the read: 2 round trips per order made (a replay would re-price
  at the airline before the call finds its key).
- `raw`: bench/booking_sql.py's three statements, for reference.

Same rows per order made on every API side: the key (with its recovery point and answer), the
order, its passenger, two history rows, two outbox events; `api` also inserts and deletes the
409's key. Prints each turn's totals and the medians, then the last turn's per-statement tables.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import uuid
from collections.abc import Sequence
from decimal import Decimal

import asyncpg
import msgspec

from bench import booking_pg_cpu as pgcpu
from booking.events import encode_event, new_event
from booking.idempotency import _READ, Fingerprint
from booking.limits import OrderLimits
from booking.model import NewOrder, Order, Passenger, contact_of
from booking.pg import Database
from booking.references import (
    ReferenceCollision,
    new_booking_reference,
    new_order_id,
    with_retries,
)
from booking.repository import PgOrderRepository, _gate_args, _pending_snapshot
from booking.rows import order_from_row, seat_columns, terms_columns

FOLDED = "SELECT * FROM bench_hold_create(" + ", ".join(f"${n}" for n in range(1, 41)) + ")"
LEASE_S, TTL_S = 30.0, 24 * 3600.0


def passenger_columns(passengers: Sequence[Passenger]) -> tuple[list[object], ...]:
    """The passengers as the column arrays `bench_hold_create` unnests ($10 … $16)."""
    return (
        [p.type for p in passengers],
        [p.given_name for p in passengers],
        [p.family_name for p in passengers],
        [p.born_on for p in passengers],
        [p.gender for p in passengers],
        [p.email for p in passengers],
        [p.phone_number for p in passengers],
    )


async def create_folded(
    db: Database, order: NewOrder, key: str, fp: Fingerprint, limits: OrderLimits
) -> Order:
    """`PgOrderRepository.create` with the key's claim in the same call (the 201's path)."""
    created = new_event(
        "order.created", _pending_snapshot(order), contact_of(order.passengers), owner=order.owner
    )

    async def insert(reference: str) -> Order:
        snapshot = msgspec.structs.replace(created.order, booking_reference=reference)
        event = msgspec.structs.replace(created, order=snapshot)
        async with db.connection() as conn:
            try:
                row = await conn.fetchrow(
                    FOLDED,
                    order.id, order.owner, reference, order.type, order.offer_id,
                    order.connector, order.total_amount, order.total_currency,
                    msgspec.json.encode(order.slices).decode(),
                    *passenger_columns(order.passengers),
                    order.owner, uuid.UUID(event.id), encode_event(event).decode(), key,
                    *terms_columns(order.terms), *seat_columns(order.seats),
                    *_gate_args(order, limits),
                    fp.method, fp.path, fp.body_hash, LEASE_S, TTL_S,
                    timeout=db.timeout_s,
                )  # fmt: skip
            except asyncpg.UniqueViolationError as exc:  # the whole call rolled back
                if exc.constraint_name == "orders_booking_reference_key":
                    raise ReferenceCollision(reference) from exc
                raise
        if row is None or row["outcome"] != "created":  # the bench's keys and caps never are
            raise RuntimeError(f"bench_hold_create wrote nothing: {row}")
        return order_from_row(
            {  # type: ignore[arg-type]
                **dict(row["made"].items()),
                "version": row["made_version"],
                "passengers": row["made_passengers"],
                "seats": row["made_seats"],
            }
        )

    return await with_retries(insert, draw=new_booking_reference)


async def fold_side(pool: asyncpg.Pool, owners: int, orders: int, *, read: bool) -> int:
    db = Database(pool, timeout_s=30.0)
    repository = PgOrderRepository(db)
    run = f"bench-onecall-{uuid.uuid4().hex[:8]}"
    fp = pgcpu.keys_fingerprint()
    for _ in range(orders):
        for o in range(owners):
            owner = f"{run}-{o}"
            for key in (uuid.uuid4().hex, uuid.uuid4().hex):  # the 409's, then the 201's
                if read:
                    async with db.connection() as conn:
                        assert await conn.fetchrow(_READ, owner, key, timeout=30.0) is None
            new = NewOrder(
                id=new_order_id(), owner=owner, type="hold", offer_id="off_bench",
                connector="rest-britannia", total_amount=Decimal("612.40"),
                total_currency="USD", slices=pgcpu._slices(), passengers=(pgcpu.ADA,),
            )  # fmt: skip
            order = await create_folded(db, new, key, fp, pgcpu.BENCH_LIMITS)
            await pgcpu.mark_held(repository, order, owner, key)
    return owners * orders


async def run_side(side: str, pool: asyncpg.Pool, owners: int, orders: int) -> int:
    if side in ("api", "raw"):
        return await pgcpu._side(side, pool, owners, orders)
    return await fold_side(pool, owners, orders, read=side == "fold")


async def measure(url: str, side: str, owners: int, orders: int) -> tuple[pgcpu.Meter, int]:
    async def run(pool: asyncpg.Pool, owners: int, orders: int) -> int:
        return await run_side(side, pool, owners, orders)

    return await pgcpu.metered(url, run, owners, orders)


async def main_async(args: argparse.Namespace) -> None:
    pgcpu.Meter.install()
    sides = args.sides.split(",")
    totals: dict[str, list[tuple[float, float, float]]] = {s: [] for s in sides}
    last: dict[str, tuple[pgcpu.Meter, int]] = {}
    for turn in range(args.turns):
        for side in sides if turn % 2 == 0 else sides[::-1]:
            meter, made = await measure(args.database_url, side, args.owners, args.orders)
            server = sum(meter.server_ns.values()) / made / 1000
            client = sum(meter.client_ns.values()) / made / 1000
            calls = sum(meter.calls.values()) / made
            totals[side].append((server, client, calls))
            last[side] = (meter, made)
            print(f"turn {turn + 1} {side}: PG {server:.0f} µs/order, client {client:.0f}"
                  f" µs/order, {calls:.2f} statements/order", flush=True)  # fmt: skip
    print("\n| side | statements/order | PG µs/order, per turn → median |"
          " client µs/order, per turn → median |\n|---|---|---|---|")  # fmt: skip
    for side, rows in totals.items():
        pg = ", ".join(f"{r[0]:.0f}" for r in rows)
        cl = ", ".join(f"{r[1]:.0f}" for r in rows)
        pg_median = statistics.median(r[0] for r in rows)
        cl_median = statistics.median(r[1] for r in rows)
        print(f"| {side} | {rows[0][2]:.2f} | {pg} → **{pg_median:.0f}** | {cl} →"
              f" **{cl_median:.0f}** |")  # fmt: skip
    first = sides[0]
    for side in sides[1:]:  # per turn, against the first side measured next to it
        pg_ratio = [r[0] / b[0] for r, b in zip(totals[side], totals[first], strict=True)]
        cl_ratio = [r[1] / b[1] for r, b in zip(totals[side], totals[first], strict=True)]
        pg_turns = ", ".join(f"{x:.2f}" for x in pg_ratio)
        cl_turns = ", ".join(f"{x:.2f}" for x in cl_ratio)
        print(f"| {side} ÷ {first}, per turn → median | | {pg_turns} →"
              f" **{statistics.median(pg_ratio):.2f}** | {cl_turns} →"
              f" **{statistics.median(cl_ratio):.2f}** |")  # fmt: skip
    print()
    for side, (meter, made) in last.items():
        print(pgcpu.report(f"{side} (last turn)", meter, made) + "\n")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--owners", type=int, default=16)
    parser.add_argument("--orders", type=int, default=70, help="per owner")
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--sides", default="api,fold,fold-bare")
    asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
