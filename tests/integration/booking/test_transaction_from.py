"""`Database.transaction_from`: a transaction opened with its first statement in one round trip
(the per-traveler lock of a limited order create), committed or rolled back as one."""

from __future__ import annotations

import asyncpg
import pytest

from booking.create_sql import OWNER_LOCK_SPACE, lock_owner
from booking.pg import BoundDatabase, Database

HOLDS_THE_LOCK = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
    " AND classid = $1"
)


async def _insert_then_fail(db: Database, n: int) -> None:
    async with db.transaction_from(lock_owner("alice")) as conn:
        await conn.execute("INSERT INTO probe VALUES ($1)", n)
        raise RuntimeError("rolled back")


async def test_the_first_statement_runs_inside_the_transaction_it_opens(db: Database) -> None:
    async with db.transaction_from(lock_owner("alice")) as conn:
        assert conn.is_in_transaction()
        assert await conn.fetchval(HOLDS_THE_LOCK, OWNER_LOCK_SPACE) == 1
    async with db.connection() as conn:  # the commit released the lock
        assert await conn.fetchval(HOLDS_THE_LOCK, OWNER_LOCK_SPACE) == 0


async def test_the_block_commits_and_a_raise_rolls_it_back(
    db: Database, booking_pool: asyncpg.Pool
) -> None:
    await booking_pool.execute("CREATE TABLE probe (n int)")
    async with db.transaction_from(lock_owner("alice")) as conn:
        await conn.execute("INSERT INTO probe VALUES (1)")
    with pytest.raises(RuntimeError):
        await _insert_then_fail(db, 2)

    assert await booking_pool.fetchval("SELECT array_agg(n) FROM probe") == [1]


async def test_inside_a_callers_transaction_it_is_a_savepoint(
    db: Database, booking_pool: asyncpg.Pool
) -> None:
    await booking_pool.execute("CREATE TABLE probe (n int)")
    async with db.transaction() as outer:
        bound = BoundDatabase(outer, db)
        with pytest.raises(RuntimeError):
            await _insert_then_fail(bound, 2)
        await outer.execute("INSERT INTO probe VALUES (1)")

    assert await booking_pool.fetchval("SELECT array_agg(n) FROM probe") == [1]


def test_an_owners_lock_statement_holds_numbers_only() -> None:
    statement = lock_owner("alice'); DROP TABLE orders; --")
    key = int(statement.rsplit(", ", 1)[1].rstrip(")"))

    assert statement.startswith(f"SELECT pg_advisory_xact_lock({OWNER_LOCK_SPACE}, ")
    assert -(2**31) <= key < 2**31
    assert lock_owner("alice") == lock_owner("alice") != lock_owner("bob")
