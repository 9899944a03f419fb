"""Booking against real PostgreSQL: each test migrates its own schema (dropped afterwards)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import pytest

from booking.idempotency import PgIdempotencyStore
from booking.model import NewOrder, Passenger
from booking.pg import Database
from booking.references import new_order_id
from booking.repository import PgOrderRepository
from tests.fakes import offer
from tests.support.database import migrated_pool


@pytest.fixture
async def booking_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool over a fresh schema holding every migration (booking's tables included)."""
    async with migrated_pool(database_url, prefix="booking", max_size=30) as pool:
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


ADA = Passenger(
    type="adult",
    given_name="Ada",
    family_name="Lovelace",
    born_on=dt.date(1990, 12, 10),
    gender="f",
    email="ada@example.com",
    phone_number="+442071838750",
)


def new_order(owner: str = "alice", **changes: object) -> NewOrder:
    fields: dict[str, object] = {
        "id": new_order_id(),
        "owner": owner,
        "type": "hold",
        "offer_id": "off_test",
        "connector": "fake",
        "total_amount": Decimal("612.40"),
        "total_currency": "USD",
        "slices": offer().slices,
        "passengers": (ADA,),
    }
    fields.update(changes)
    return NewOrder(**fields)  # type: ignore[arg-type]
