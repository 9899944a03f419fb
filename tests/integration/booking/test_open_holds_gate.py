"""The limited create's SQL (booking/sql/0141_open_holds_under_lock.sql) counts a traveler's open
holds as `booking.limits` does in Python, and an order it refuses leaves no trace."""

from __future__ import annotations

import datetime as dt

import asyncpg
import msgspec
import pytest

from booking.create_sql import lock_keys
from booking.idempotency import PgIdempotencyStore, fingerprint
from booking.limits import OpenHold, OrderLimits, flights_of, seats_of, totals_of
from booking.model import NewOrder, Passenger
from booking.repository import PgOrderRepository
from kernel.errors import LimitReached
from tests.fakes import offer, segment
from tests.support.orders import ADA, new_order

INFANT = msgspec.structs.replace(ADA, type="infant", born_on=dt.date.today().replace(day=1))
EVERY_CAP_HIGH = OrderLimits(max_open_holds=100, max_held_seats=100, max_held_seats_per_flight=100)


def _order(owner: str, *segments: object, passengers: tuple[Passenger, ...] = (ADA,)) -> NewOrder:
    return new_order(owner, slices=offer("500.00", *segments).slices, passengers=passengers)  # type: ignore[arg-type]


async def test_the_sql_counts_seats_per_flight_and_local_date_as_the_python_rules_do(
    repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    held = [
        _order("ada", segment("BA100", "2030-05-01T08:25"), passengers=(ADA, ADA, INFANT)),
        _order("ada", segment("BA100", "2030-05-02T08:25")),  # the same number, another day
        _order("ada", [segment("BA100", "2030-05-01T23:55"), segment("BA200", "2030-05-02T06:00")]),
        _order("ada", segment("BA300", "2030-05-01T08:25"), segment("BA100", "2030-05-01T08:25")),
        _order("bob", segment("BA100", "2030-05-01T08:25")),  # another traveler's
    ]
    for order in held:
        await repository.create(order, actor=order.owner, limits=EVERY_CAP_HIGH)
    new = _order("ada", segment("BA100", "2030-05-01T10:00"), segment("BA200", "2030-05-02T06:00"))
    flights = sorted(flights_of(new.slices))

    async with booking_pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            "SELECT * FROM booking_open_holds($1, $2, $3, $4, $5)",
            "ada", *lock_keys("ada"),
            [n for n, _ in flights], [d.isoformat() for _, d in flights],
        )  # fmt: skip
    assert row is not None
    mine = [OpenHold(flights_of(o.slices), seats_of(o.passengers)) for o in held[:4]]
    expected = totals_of(mine, flights)

    assert (row["open_holds"], row["held_seats"]) == (expected.holds, expected.seats) == (4, 5)
    assert dict(zip(flights, row["on_flights"], strict=True)) == expected.on_flight
    assert row["on_flights"] == [4, 1]  # BA100 on 1 May: 2 + 1 + 1 seats; BA200 on 2 May: 1


async def test_a_refused_order_writes_nothing_and_its_key_points_at_no_order(
    repository: PgOrderRepository, keys: PgIdempotencyStore, booking_pool: asyncpg.Pool
) -> None:
    caps = OrderLimits(max_open_holds=2, max_held_seats=100, max_held_seats_per_flight=100)
    for _ in range(2):
        await repository.create(_order("ada", segment()), actor="ada", limits=caps)
    await keys.claim("ada", "k-3", fingerprint("POST", "/v1/orders", {}))
    third = _order("ada", segment())

    with pytest.raises(LimitReached) as refused:
        await repository.create(third, actor="ada", idempotency_key="k-3", limits=caps)

    assert refused.value.extensions == {"limit": "open_holds", "maximum": 2, "current": 2}
    async with booking_pool.acquire() as conn:
        for table in ("orders", "order_passengers", "order_history", "outbox"):
            column = "id" if table == "orders" else "order_id"
            found = await conn.fetchval(
                f"SELECT count(*) FROM {table} WHERE {column} = $1", third.id
            )
            assert found == 0, table
        resource = await conn.fetchval(
            "SELECT resource_id FROM idempotency_keys WHERE owner = 'ada' AND key = 'k-3'"
        )
    assert resource is None


@pytest.mark.parametrize(
    ("caps", "limit"),
    [
        (
            OrderLimits(max_open_holds=3, max_held_seats=0, max_held_seats_per_flight=0),
            "open_holds",
        ),
        (
            OrderLimits(max_open_holds=0, max_held_seats=3, max_held_seats_per_flight=0),
            "held_seats",
        ),
        (
            OrderLimits(max_open_holds=0, max_held_seats=0, max_held_seats_per_flight=3),
            "held_seats_per_flight",
        ),
        # A per-flight cap the seat cap implies: the seats per flight are not counted.
        (
            OrderLimits(max_open_holds=0, max_held_seats=3, max_held_seats_per_flight=5),
            "held_seats",
        ),
    ],
)
async def test_each_cap_lets_the_order_that_reaches_it_in_and_refuses_the_next(
    repository: PgOrderRepository, caps: OrderLimits, limit: str
) -> None:
    # One seat each, one flight: the third order reaches every cap, the fourth passes it. A cap
    # of 0 is no cap (the other two).
    for _ in range(3):
        await repository.create(_order("ada", segment()), actor="ada", limits=caps)

    with pytest.raises(LimitReached) as refused:
        await repository.create(_order("ada", segment()), actor="ada", limits=caps)

    assert refused.value.extensions == {"limit": limit, "maximum": 3, "current": 3}


async def test_an_order_keeps_its_seats_and_one_written_before_is_counted_from_its_passengers(
    repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    # Issue 18: the count reads each open hold's seats from its row (0147_order_seats_taken.sql).
    family = _order("ada", segment("BA100", "2030-05-01T08:25"), passengers=(ADA, ADA, INFANT))
    unlimited = _order("ada", segment("BA100", "2030-05-01T08:25"), passengers=(ADA, INFANT))
    older = _order("ada", segment("BA100", "2030-05-01T08:25"), passengers=(ADA, ADA, ADA))
    await repository.create(family, actor="ada", limits=EVERY_CAP_HIGH)
    await repository.create(unlimited, actor="ada")
    await repository.create(older, actor="ada", limits=EVERY_CAP_HIGH)
    flights = sorted(flights_of(family.slices))

    async with booking_pool.acquire() as conn:
        taken = dict(await conn.fetch("SELECT id, seats_taken FROM orders WHERE owner = 'ada'"))
        # As an order written before the column, or by a process running the older insert.
        await conn.execute("UPDATE orders SET seats_taken = NULL WHERE id = $1", older.id)
        async with conn.transaction():
            row = await conn.fetchrow(
                "SELECT * FROM booking_open_holds($1, $2, $3, $4, $5)",
                "ada", *lock_keys("ada"),
                [n for n, _ in flights], [d.isoformat() for _, d in flights],
            )  # fmt: skip

    assert taken == {family.id: 2, unlimited.id: 1, older.id: 3}
    assert row is not None
    assert (row["open_holds"], row["held_seats"], row["on_flights"]) == (3, 6, [6])
