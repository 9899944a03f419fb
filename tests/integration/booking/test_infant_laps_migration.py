"""Which adult holds which infant (booking/sql/0157): orders booked before it get the pairing
the seat rules always assumed, the k-th infant on the k-th adult's lap, read back as each
adult's `infant_passenger_id`; the table keeps one adult per infant and laps on adults only."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from booking.pg import Database
from booking.repository import PgOrderRepository
from skyfare.migrations import migrate
from tests.support.database import migrations_before

_ORDER = """
INSERT INTO orders (id, owner, booking_reference, type, status, offer_id, connector,
                    total_amount, total_currency, slices)
VALUES ($1, 'alice', $2, 'hold', 'held', 'off_1', 'rest-x', 10, 'USD', '[]')"""
_PASSENGER = """
INSERT INTO order_passengers (order_id, position, type, given_name, family_name, born_on, gender)
VALUES ($1, $2, $3, $4, 'Lovelace', '1990-12-10', 'f')"""
# Adults, a child and infants mixed as no client sends them, to see the ranks matched.
_FAMILY = [("adult", "Ada"), ("infant", "Tim"), ("child", "Kim"), ("adult", "Bea"),
           ("infant", "Kit"), ("adult", "Cy")]  # fmt: skip


async def test_0157_puts_the_infants_of_older_orders_on_the_adults_laps_in_order(
    bare_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    await migrate(bare_pool, timeout=30, directories=[migrations_before(157, tmp_path)])
    async with bare_pool.acquire() as conn:
        for order_id, reference, family in [
            ("ord_family", "FAM001", _FAMILY),
            ("ord_alone", "ALN001", [("adult", "Ada")]),
        ]:
            await conn.execute(_ORDER, order_id, reference)
            for position, (kind, name) in enumerate(family):
                await conn.execute(_PASSENGER, order_id, position, kind, name)

    await migrate(bare_pool, timeout=30)

    repository = PgOrderRepository(Database(bare_pool, timeout_s=5.0))
    family = await repository.get("ord_family")
    alone = await repository.get("ord_alone")
    assert family is not None
    assert alone is not None
    laps = [p.infant_passenger_id for p in family.passengers]
    assert laps == ["pas_2", None, None, "pas_5", None, None]
    assert [p.infant_passenger_id for p in alone.passengers] == [None]


async def test_the_table_refuses_an_infant_on_two_laps_or_on_a_child(
    bare_pool: asyncpg.Pool,
) -> None:
    await migrate(bare_pool, timeout=30)
    async with bare_pool.acquire() as conn:
        await conn.execute(_ORDER, "ord_twice", "TWC001")
        for position, (kind, name) in enumerate(_FAMILY):
            await conn.execute(_PASSENGER, "ord_twice", position, kind, name)
        lap = "UPDATE order_passengers SET infant_position = $2 WHERE order_id = 'ord_twice'"
        await conn.execute(lap + " AND position = $1", 0, 1)
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute(lap + " AND position = $1", 3, 1)
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(lap + " AND position = $1", 2, 4)
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            await conn.execute(lap + " AND position = $1", 5, 9)
