"""Booking against real PostgreSQL: each test gets a migrated schema of its own, as fresh as a new
one (tests/support/database.py: emptied and reused when the test left its definition alone)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from booking.idempotency import PgIdempotencyStore
from booking.pg import Database
from booking.repository import PgOrderRepository
from tests.support.airline_orders import AirlineOrders, running_airline
from tests.support.database import migrated_pool
from tests.support.pgbouncer import PgBouncer
from tests.support.sim import SimHandle


@pytest.fixture
async def booking_pool(
    database_url: str, db_pooler: PgBouncer | None
) -> AsyncIterator[asyncpg.Pool]:
    """A pool over a fresh schema holding every migration (booking's tables included)."""
    async with migrated_pool(database_url, pooler=db_pooler, prefix="booking", max_size=30) as pool:
        yield pool


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement asyncpg sends from here on (simple queries such as BEGIN included): the
    real methods run, each call is noted first."""
    sent: list[str] = []
    Connection = asyncpg.connection.Connection
    execute: Any = Connection.execute
    extended: Any = Connection._execute  # type: ignore[attr-defined]

    async def noted_execute(self: object, query: str, *args: object, **kw: object) -> object:
        # With arguments it goes through `_execute`, noted there. The test pool's reset on
        # release is not the repository's (the app's pool sends none: skyfare/postgres.py).
        if not args and not query.startswith("SELECT pg_advisory_unlock_all()"):
            sent.append(query)
        return await execute(self, query, *args, **kw)

    async def noted_extended(self: object, query: str, *args: object, **kw: object) -> object:
        sent.append(query)
        return await extended(self, query, *args, **kw)

    monkeypatch.setattr(Connection, "execute", noted_execute)
    monkeypatch.setattr(Connection, "_execute", noted_extended)
    return sent


@pytest.fixture
def db(booking_pool: asyncpg.Pool) -> Database:
    return Database(booking_pool, timeout_s=5.0)


@pytest.fixture
def repository(db: Database) -> PgOrderRepository:
    return PgOrderRepository(db)


@pytest.fixture
def keys(db: Database) -> PgIdempotencyStore:
    return PgIdempotencyStore(db, lease_s=30.0)


# The reconciler's and the sweeper's suites: a real sim airline (tests/conftest.py's `sim`)
# and its seats and bookings.
@pytest.fixture
async def airline(sim: SimHandle) -> AsyncIterator[AirlineOrders]:
    async with running_airline(sim) as handle:
        yield handle
