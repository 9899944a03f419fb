"""`Database.connection()`: what the caller sees when PostgreSQL cannot serve, and that the
connection always goes back to the pool (kernel/pg.py)."""

from __future__ import annotations

import pytest

from kernel.errors import ServiceUnavailable
from kernel.pg import Database


class FakePool:
    """Hands out one token connection; `fail_acquire`: the acquire raises it instead."""

    def __init__(self, fail_acquire: BaseException | None = None) -> None:
        self.fail_acquire = fail_acquire
        self.acquired = 0
        self.released: list[object] = []

    async def acquire(self, *, timeout: float) -> object:
        if self.fail_acquire is not None:
            raise self.fail_acquire
        self.acquired += 1
        return f"conn-{self.acquired}"

    async def release(self, proxy: object, *, timeout: float) -> None:
        self.released.append(proxy)


def database(pool: FakePool) -> Database:
    return Database(pool, timeout_s=1.0)  # type: ignore[arg-type]


async def test_the_connection_goes_back_after_the_block() -> None:
    pool = FakePool()

    async with database(pool).connection() as conn:
        assert conn == "conn-1"

    assert pool.released == ["conn-1"]


async def test_an_acquire_that_fails_is_service_unavailable_and_releases_nothing() -> None:
    pool = FakePool(fail_acquire=TimeoutError())

    with pytest.raises(ServiceUnavailable, match="records are unavailable") as raised:
        async with database(pool).connection():
            pytest.fail("the block ran without a connection")

    assert isinstance(raised.value.__cause__, TimeoutError)
    assert pool.released == []


async def test_a_lost_connection_in_the_block_is_service_unavailable_after_the_release() -> None:
    pool = FakePool()
    lost = ConnectionResetError("reset by peer")

    with pytest.raises(ServiceUnavailable) as raised:
        async with database(pool).connection():
            raise lost

    assert raised.value.__cause__ is lost
    assert pool.released == ["conn-1"]


async def test_any_other_error_in_the_block_propagates_as_it_is_after_the_release() -> None:
    pool = FakePool()

    with pytest.raises(KeyError):
        async with database(pool).connection():
            raise KeyError("a bug")

    assert pool.released == ["conn-1"]
