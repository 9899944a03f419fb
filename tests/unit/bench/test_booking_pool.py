"""`bench.booking_pool_callgrind.MinimalPool`, the pool the asyncpg pool is counted against: it
must do what `Database` needs of a pool, or the comparison flatters it."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from bench.booking_pool_callgrind import MinimalPool


class FakeConnection:
    def __init__(self, *, in_transaction: bool = False, closed: bool = False) -> None:
        self.in_transaction, self.closed = in_transaction, closed
        self.executed: list[str] = []

    def is_closed(self) -> bool:
        return self.closed

    def is_in_transaction(self) -> bool:
        return self.in_transaction

    async def execute(self, query: str, *, timeout: float | None = None) -> None:
        self.executed.append(query)
        self.in_transaction = False


def pool_of(*connections: FakeConnection) -> MinimalPool:
    return MinimalPool(cast(Any, connections))


async def test_an_idle_connection_is_lent_at_once_and_a_waiter_gets_it_back_in_turn() -> None:
    conn = FakeConnection()
    pool = pool_of(conn)
    lent = await pool.acquire(timeout=1.0)
    first = asyncio.create_task(pool.acquire(timeout=1.0))
    second = asyncio.create_task(pool.acquire(timeout=1.0))
    await asyncio.sleep(0)

    await pool.release(lent)

    assert await first is conn
    assert not second.done()
    await pool.release(conn)
    assert await second is conn


async def test_a_connection_left_in_a_transaction_is_rolled_back_and_a_closed_one_dropped() -> None:
    open_one, closed = FakeConnection(in_transaction=True), FakeConnection(closed=True)
    pool = pool_of()

    await pool.release(cast(Any, open_one))
    await pool.release(cast(Any, closed))

    assert open_one.executed == ["ROLLBACK"]
    assert await pool.acquire(timeout=1.0) is open_one
    with pytest.raises(TimeoutError):
        await pool.acquire(timeout=0.01)


async def test_a_waiter_that_timed_out_is_skipped_on_release() -> None:
    conn = FakeConnection()
    pool = pool_of(conn)
    lent = await pool.acquire(timeout=1.0)
    with pytest.raises(TimeoutError):
        await pool.acquire(timeout=0.01)

    await pool.release(lent)

    assert await pool.acquire(timeout=1.0) is conn
