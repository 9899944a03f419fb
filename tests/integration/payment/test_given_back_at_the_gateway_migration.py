"""Migration 0214 gives the refund parts written before it what the gateway's dashboard gave of
them: a part that ended at the gateway (nothing asked) counts all of it as the gateway's; a part
shrunk to what its charge had left gets its whole amount back, the rest counted as the
gateway's, as its history step says; an older release's change refund (no gateway refund id
either, but asked) and a part an older ask of ours had paid stay ours."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import asyncpg

from booking.pg import Database
from booking.repository import PgOrderRepository
from skyfare.migrations import migrate
from tests.support.database import migrations_before
from tests.support.orders import new_order

_PART = """
INSERT INTO order_refunds (id, order_id, charge_id, intent_id, amount, currency, reason, status,
                           change_id, gateway_refund_id, asking)
VALUES ($1, $2, $3, 'pi_1', $4, 'USD', $5, 'refunded', $6, $7, $8)"""
_SHRUNK = (
    "refund of 80.00 USD to och_b refused by the payment gateway (amount_too_large: 30.00 USD"
    " of it given back at the gateway already, 50.00 USD left); it is retried"
)


async def test_parts_written_before_0214_say_what_the_gateway_gave_back(
    bare_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    await migrate(bare_pool, timeout=30, directories=[migrations_before(214, tmp_path)])
    order = await PgOrderRepository(Database(bare_pool, timeout_s=5)).create(
        new_order(), actor="alice"
    )
    parts = [  # id, charge, amount, reason, change, gateway refund, asking
        ("rfd_ended", "pay_a", "100.00", "the order was cancelled", None, None, None),
        ("rfd_shrunk", "och_b", "50.00", "the flight change och_x cost 80.00 USD less", "och_x",
         "re_1", None),
        ("rfd_older", "pay_a", "20.00", "the flight change och_y cost less", "och_y", None, None),
        ("rfd_keyed", "sch_c", "10.00", "the order was cancelled", None, None, "0.00"),
        ("rfd_ours", "sch_d", "15.00", "the order was cancelled", None, "re_2", None),
    ]  # fmt: skip
    for id, charge, amount, reason, change, refund, asking in parts:
        await bare_pool.execute(
            _PART, id, order.id, charge, Decimal(amount), reason, change, refund,
            None if asking is None else Decimal(asking),
        )  # fmt: skip
    await bare_pool.execute(
        "INSERT INTO order_history (order_id, to_status, to_payment_status, reason, actor,"
        " decline_code) VALUES ($1, 'confirmed', 'paid', $2, 'reconciler', 'amount_too_large')",
        order.id, _SHRUNK,
    )  # fmt: skip

    await migrate(bare_pool, timeout=30)

    rows = await bare_pool.fetch("SELECT id, amount, by_gateway FROM order_refunds ORDER BY id")
    assert [tuple(row.values()) for row in rows] == [
        ("rfd_ended", Decimal("100.00"), Decimal("100.00")),
        ("rfd_keyed", Decimal("10.00"), Decimal("0.00")),
        ("rfd_older", Decimal("20.00"), Decimal("0.00")),
        ("rfd_ours", Decimal("15.00"), Decimal("0.00")),
        ("rfd_shrunk", Decimal("80.00"), Decimal("30.00")),
    ]
