"""Booking against real PostgreSQL: each test migrates its own schema (dropped afterwards)."""

from __future__ import annotations

from collections.abc import AsyncIterator

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
