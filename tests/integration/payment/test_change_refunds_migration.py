"""Migration 0204 keeps the money of orders changed before it: a change to a cheaper slice used
to refund the payment that paid its order at once, and the ledger counted that from
`order_changes`. Since 0204 every refund is a part in `order_refunds`, so the migration writes
those old refunds as the parts they were; without them a cancellation after the upgrade would
ask the payment for money it gave back already (and the gateway would refuse it for ever)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import asyncpg
import msgspec
import pytest

from booking.model import Order
from booking.pg import Database
from booking.repository import PgOrderRepository
from payment.ledger import charges_of
from skyfare.migrations import migrate
from tests.support.database import migrations_before
from tests.support.orders import new_order

NOW = dt.datetime.now(dt.UTC)


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


async def old_change(pool: asyncpg.Pool, order: Order, change_id: str, due: str) -> None:
    """A change offer of `order` to a cheaper slice, `confirming` (begun)."""
    await pool.execute(
        "INSERT INTO order_changes (id, order_id, status, slice_index, supplier_fare_id,"
        " new_slice, fare_difference, penalty_amount, due_amount, new_total_amount, currency,"
        " refundable, changeable, order_status, order_payment_status, order_updated_at, actor,"
        " expires_at) VALUES ($1, $2, 'confirming', 0, 'f1', $3::jsonb, $4, 0, $4, $5, 'USD',"
        " true, true, 'confirmed', 'paid', $6, 'alice', $6)",
        change_id, order.id, msgspec.json.encode(order.slices[0]).decode(), Decimal(due),
        order.total_amount + Decimal(due), NOW,
    )  # fmt: skip


async def test_a_cheaper_change_an_older_process_confirms_after_0204_counts_against_the_payment(
    bare_pool: asyncpg.Pool,
) -> None:
    """0205: in a rolling deploy a process of the release before 0204 confirms a cheaper change
    its way (the paying payment refunded before the commit, no part): the commit writes the
    part it was, so the ledger does not offer that money again."""
    await migrate(bare_pool, timeout=30)
    db = Database(bare_pool, timeout_s=5)
    order = await PgOrderRepository(db).create(new_order(), actor="alice")
    await bare_pool.execute(
        "INSERT INTO payments (id, order_id, owner, amount, currency, status, gateway_intent_id,"
        " order_paid) VALUES ('pay_old', $1, 'alice', $2, 'USD', 'succeeded', 'pi_old', true)",
        order.id, order.total_amount,
    )  # fmt: skip
    await old_change(bare_pool, order, "och_old", "-100.00")

    # The older process's commit: the offer confirmed, no part of its own.
    await bare_pool.execute("UPDATE order_changes SET status = 'confirmed' WHERE id = 'och_old'")
    await old_change(bare_pool, order, "och_new", "-20.00")
    # This release's: its part owed in the same transaction, after the offer's update.
    async with bare_pool.acquire() as conn, conn.transaction():
        await conn.execute("UPDATE order_changes SET status = 'confirmed' WHERE id = 'och_new'")
        await conn.execute(
            "INSERT INTO order_refunds (id, order_id, charge_id, intent_id, amount, currency,"
            " reason, status, change_id) VALUES ('rfd_new', $1, 'pay_old', 'pi_old', 20.00,"
            " 'USD', 'cheaper', 'owed', 'och_new')",
            order.id,
        )  # fmt: skip

    async with bare_pool.acquire() as conn:
        [payment] = await charges_of(conn, order.id, timeout=5)
    assert payment.left == order.total_amount - Decimal("120.00")
    parts = await bare_pool.fetch(
        "SELECT change_id, amount, status FROM order_refunds ORDER BY change_id"
    )
    assert [tuple(p.values()) for p in parts] == [
        ("och_new", Decimal("20.00"), "owed"),
        ("och_old", Decimal("100.00"), "refunded"),
    ]


async def test_a_payment_owed_back_whole_before_0205_owes_only_what_a_change_left_of_it(
    bare_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    """A payment the whole-payment path began refunding (a failed ticketing) after a cheaper
    change gave part of it back asked for all of it, which the gateway refused for ever; 0205
    makes it owe what it has left."""
    await migrate(bare_pool, timeout=30, directories=[migrations_before(205, tmp_path)])
    db = Database(bare_pool, timeout_s=5)
    order = await PgOrderRepository(db).create(new_order(), actor="alice")
    await bare_pool.execute(
        "INSERT INTO payments (id, order_id, owner, amount, currency, status, gateway_intent_id,"
        " order_paid) VALUES ('pay_old', $1, 'alice', $2, 'USD', 'refunding', 'pi_old', true)",
        order.id, order.total_amount,
    )  # fmt: skip
    await bare_pool.execute(
        "INSERT INTO order_refunds (id, order_id, charge_id, intent_id, amount, currency,"
        " reason, status, change_id) VALUES ('rfd_chg', $1, 'pay_old', 'pi_old', 100.00,"
        " 'USD', 'cheaper', 'refunded', 'och_chg')",
        order.id,
    )  # fmt: skip

    await migrate(bare_pool, timeout=30)

    owed = await bare_pool.fetchval("SELECT refunded_amount FROM payments")
    assert owed == order.total_amount - Decimal("100.00")


async def test_a_live_order_is_refunded_only_once_its_payment_gave_the_money_back(
    bare_pool: asyncpg.Pool,
) -> None:
    """0206: an older process's reconciler, paying a change's part, moved the changed order
    `paid → refunded` before its payment (it reads every part as a cancellation's)."""
    await migrate(bare_pool, timeout=30)
    db = Database(bare_pool, timeout_s=5)
    order = await PgOrderRepository(db).create(new_order(), actor="alice")
    await bare_pool.execute(
        "UPDATE orders SET status = 'confirmed', payment_status = 'paid' WHERE id = $1", order.id
    )
    await bare_pool.execute(
        "INSERT INTO payments (id, order_id, owner, amount, currency, status, gateway_intent_id,"
        " order_paid) VALUES ('pay_old', $1, 'alice', $2, 'USD', 'succeeded', 'pi_old', true)",
        order.id, order.total_amount,
    )  # fmt: skip
    refunded = "UPDATE orders SET payment_status = 'refunded' WHERE id = $1"

    with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="still holds"):
        await bare_pool.execute(refunded, order.id)

    # The gateway refunded it in full: the payment first, then the order (payment/refunds.py).
    async with bare_pool.acquire() as conn, conn.transaction():
        await conn.execute("UPDATE payments SET status = 'refunded' WHERE id = 'pay_old'")
        await conn.execute(refunded, order.id)
    assert await bare_pool.fetchval("SELECT payment_status FROM orders") == "refunded"
