"""Migration 0204 keeps the money of orders changed before it: a change to a cheaper slice used
to refund the payment that paid its order at once, and the ledger counted that from
`order_changes`. Since 0204 every refund is a part in `order_refunds`, so the migration writes
those old refunds as the parts they were; without them a cancellation after the upgrade would
ask the payment for money it gave back already (and the gateway would refuse it for ever)."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import asyncpg
import msgspec
import pytest

from booking.pg import Database
from booking.repository import PgOrderRepository
from payment.ledger import charges_of
from skyfare.migrations import MIGRATION_DIRECTORIES, migrate
from tests.support.orders import new_order

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
async def bare_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool over a fresh, empty schema (the test migrates it)."""
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        async with asyncpg.create_pool(
            database_url, min_size=0, max_size=4, server_settings={"search_path": schema}
        ) as pool:
            yield pool
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        await admin.close()


def migrations_before(version: int, into: Path) -> Path:
    """Every migration file older than `version`, copied into one folder."""
    for folder in MIGRATION_DIRECTORIES:
        for item in folder.iterdir():
            if item.name.endswith(".sql") and int(item.name[:4]) < version:
                with item.open("rb") as source, (into / item.name).open("wb") as target:
                    shutil.copyfileobj(source, target)
    return into


async def test_a_cheaper_change_refunded_before_0204_still_counts_against_the_payment(
    bare_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    await migrate(bare_pool, timeout=30, directories=[migrations_before(204, tmp_path)])
    db = Database(bare_pool, timeout_s=5)
    order = await PgOrderRepository(db).create(new_order(), actor="alice")
    await bare_pool.execute(
        "INSERT INTO payments (id, order_id, owner, amount, currency, status, gateway_intent_id,"
        " order_paid) VALUES ('pay_old', $1, 'alice', $2, 'USD', 'succeeded', 'pi_old', true)",
        order.id, order.total_amount,
    )  # fmt: skip
    await bare_pool.execute(
        "INSERT INTO order_changes (id, order_id, status, slice_index, supplier_fare_id,"
        " new_slice, fare_difference, penalty_amount, due_amount, new_total_amount, currency,"
        " refundable, changeable, order_status, order_payment_status, order_updated_at, actor,"
        " expires_at, confirmed_at) VALUES ('och_old', $1, 'confirmed', 0, 'f1', $2::jsonb,"
        " -100.00, 0, -100.00, $3, 'USD', true, true, 'confirmed', 'paid', $4, 'alice', $4, $4)",
        order.id, msgspec.json.encode(order.slices[0]).decode(),
        order.total_amount - Decimal("100.00"), NOW,
    )  # fmt: skip

    await migrate(bare_pool, timeout=30)

    async with bare_pool.acquire() as conn:
        [payment] = await charges_of(conn, order.id, timeout=5)
    assert (payment.id, payment.left) == ("pay_old", order.total_amount - Decimal("100.00"))
    [part] = await bare_pool.fetch(
        "SELECT charge_id, intent_id, amount, status, change_id FROM order_refunds"
    )
    assert tuple(part.values()) == ("pay_old", "pi_old", Decimal("100.00"), "refunded", "och_old")
