"""A failed flight change's history step names why it failed (booking/sql/0156): the steps
written before get the code their change offer carries (0155), whether they stored their note
(0154) or not; a step whose offer has no code is left as it was; and a process of the release
before, still writing steps with their note only during the upgrade, has the code added."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from booking.pg import Database
from booking.repository import PgOrderRepository
from skyfare.migrations import migrate
from tests.support.database import ORDER_INSERT_NEEDS, migrations_before
from tests.support.orders import new_order

DECLINED = (
    "the card payment of 40.00 USD failed (do_not_honor); the airline put the original flights back"
)
SOLD_OUT = "the airline refused to change the flights: sold out"
ODD = "the airline refused: sold out"  # a shape 0155 gives no code

_OFFER = (
    "INSERT INTO order_changes (id, order_id, status, slice_index, supplier_fare_id,"
    " new_slice, fare_difference, penalty_amount, due_amount, new_total_amount, currency,"
    " refundable, changeable, order_status, order_payment_status, order_updated_at, actor,"
    " expires_at, failure_reason, failure_code) VALUES ($1, $2, 'failed', 0, 'f1', '{}', 40.00,"
    " 0, 40.00, 140.00, 'USD', true, true, 'held', 'unpaid', now(), 'alice', now(), $3, $4)"
)
_STEP = (
    "INSERT INTO order_history (order_id, from_status, to_status, from_payment_status,"
    " to_payment_status, reason, actor, details)"
    " VALUES ($1, 'pending', 'pending', 'unpaid', 'unpaid', $2, 'alice', $3::jsonb)"
)


async def _failed(
    pool: asyncpg.Pool, order_id: str, change_id: str, why: str, code: str | None, note: bool
) -> None:
    """A failed offer and its step as the release before wrote it; `note`: with its details
    (0154), else as the releases before 0154 wrote it (none)."""
    await pool.execute(_OFFER, change_id, order_id, why, code)
    details = f'{{"note": "{why}"}}' if note else None
    await pool.execute(_STEP, order_id, f"change {change_id} failed: {why}", details)


async def _details(pool: asyncpg.Pool, order_id: str) -> list[object]:
    rows = await pool.fetch(
        "SELECT details FROM order_history WHERE order_id = $1 AND code = 'change_failed'"
        " ORDER BY id",
        order_id,
    )
    return [row["details"] for row in rows]


async def test_0156_names_why_each_failed_change_step_before_it_failed(
    bare_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    await migrate(
        bare_pool,
        timeout=30,
        directories=[migrations_before(156, tmp_path, plus=ORDER_INSERT_NEEDS)],
    )
    orders = PgOrderRepository(Database(bare_pool, timeout_s=5))
    order = (await orders.create(new_order(), actor="alice")).id
    await _failed(bare_pool, order, "och_noted", DECLINED, "card_declined", note=True)
    await _failed(bare_pool, order, "och_bare", SOLD_OUT, "airline_refused", note=False)
    await _failed(bare_pool, order, "och_odd", ODD, None, note=True)
    await _failed(bare_pool, order, "och_oddbare", ODD, None, note=False)

    await migrate(bare_pool, timeout=30)

    assert await _details(bare_pool, order) == [
        f'{{"note": "{DECLINED}", "failure_code": "card_declined"}}',
        f'{{"note": "{SOLD_OUT}", "failure_code": "airline_refused"}}',
        f'{{"note": "{ODD}"}}',
        None,  # still read from its reason (booking/history_reasons.py)
    ]

    # The release before, still running: its offer's code first, then the step with its note.
    later = (await orders.create(new_order(), actor="alice")).id
    await _failed(bare_pool, later, "och_late", SOLD_OUT, "airline_refused", note=True)
    assert await _details(bare_pool, later) == [
        f'{{"note": "{SOLD_OUT}", "failure_code": "airline_refused"}}'
    ]
