"""The decline codes of history rows written before their writers stored them, and beside them.

0142 gave the rows before it theirs from their reasons (and made the column generated from the
reason); 0143 makes it a column the writers fill, and 0144 gives the rows before it what 0142's
function could not (a code of another shape, a refused refund's). While 0143's release rolls out,
processes of the release before it write rows with a reason only: 0143's trigger gives them their
code as that release expects, and that release's order change still finds `decline_code_in()`.
"""

from __future__ import annotations

from pathlib import Path

import asyncpg

from booking.pg import Database
from booking.repository import PgOrderRepository
from skyfare.migrations import migrate
from tests.support.database import ORDER_INSERT_NEEDS, migrations_before
from tests.support.orders import new_order

FAILED_NOTE = (
    '{"id": "och_1", "status": "failed", "at": "2026-12-04T10:00:00Z", "detail": "the card'
    " payment of 40.00 USD failed (insufficient_funds); the airline put the original flights"
    ' back"}'
)
# A history row as the releases before 0143 wrote it: a reason, no code.
_AS_BEFORE = (
    "INSERT INTO order_history (order_id, from_status, to_status, from_payment_status,"
    " to_payment_status, reason, actor) VALUES ($1, 'held', 'held', $2, $3, $4, 'payments')"
)
# What the release before 0143 wrote with a reason (its writer beside each), and the code the
# row must carry once 0143/0144 ran; the failed change's offer (`och_weird`) stores "Do Not Honor".
AS_BEFORE: list[tuple[str, str, str, str | None]] = [
    ("processing", "failed", "payment failed: expired_card", "expired_card"),  # settlement.py
    ("processing", "failed", "card refused: Do Not Honor", "Do Not Honor"),  # service.py
    ("failed", "failed", "change och_weird failed: the card payment of 40.00 USD failed"
     " (Do Not Honor); the airline put the original flights back", "Do Not Honor"),
    ("failed", "failed", "change och_soldout failed: the airline refused: sold out", None),
    ("failed", "failed", "refund of 9.28 USD to pay_8d refused by the payment gateway"
     " (charge_disputed); it is retried", "charge_disputed"),
    ("failed", "failed", "payment started", None),
]  # fmt: skip


async def _offer(pool: asyncpg.Pool, order_id: str, change_id: str, code: str | None) -> None:
    """A failed change offer of the order, its decline code stored (booking/change_store.py)."""
    await pool.execute(
        "INSERT INTO order_changes (id, order_id, status, slice_index, supplier_fare_id,"
        " new_slice, fare_difference, penalty_amount, due_amount, new_total_amount, currency,"
        " refundable, changeable, order_status, order_payment_status, order_updated_at, actor,"
        " expires_at, failure_reason, decline_code) VALUES ($1, $2, 'failed', 0, 'f1', '{}',"
        " 40.00, 0, 40.00, 140.00, 'USD', true, true, 'held', 'failed', now(), 'alice', now(),"
        " 'declined', $3)",
        change_id, order_id, code,
    )  # fmt: skip


async def _codes(pool: asyncpg.Pool, order_id: str) -> list[str | None]:
    rows = await pool.fetch(
        "SELECT decline_code FROM order_history WHERE order_id = $1 AND actor = 'payments'"
        " ORDER BY id",
        order_id,
    )
    return [r["decline_code"] for r in rows]


async def test_0142_gives_what_was_written_before_it_its_decline_code(
    bare_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    await migrate(
        bare_pool,
        timeout=30,
        directories=[migrations_before(142, tmp_path / "a", plus=ORDER_INSERT_NEEDS)],
    )
    order = await PgOrderRepository(Database(bare_pool, timeout_s=5)).create(
        new_order(), actor="alice"
    )
    await bare_pool.execute(_AS_BEFORE, order.id, "processing", "failed", AS_BEFORE[0][2])
    await bare_pool.execute(
        "UPDATE orders SET last_change = $2::jsonb WHERE id = $1", order.id, FAILED_NOTE
    )

    await migrate(bare_pool, timeout=30, directories=[migrations_before(143, tmp_path / "b")])

    assert await _codes(bare_pool, order.id) == ["expired_card"]
    note = await bare_pool.fetchval(
        "SELECT last_change ->> 'decline_code' FROM orders WHERE id = $1", order.id
    )
    assert note == "insufficient_funds"


async def test_rows_written_before_0143_keep_or_gain_their_code_and_a_code_of_any_shape(
    bare_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    await migrate(
        bare_pool,
        timeout=30,
        directories=[migrations_before(143, tmp_path, plus=ORDER_INSERT_NEEDS)],
    )
    order = await PgOrderRepository(Database(bare_pool, timeout_s=5)).create(
        new_order(), actor="alice"
    )
    await _offer(bare_pool, order.id, "och_weird", "Do Not Honor")
    await _offer(bare_pool, order.id, "och_soldout", None)
    for before, after, reason, _ in AS_BEFORE:
        await bare_pool.execute(_AS_BEFORE, order.id, before, after, reason)

    await migrate(bare_pool, timeout=30)

    assert await _codes(bare_pool, order.id) == [code for *_, code in AS_BEFORE]


async def test_a_process_of_the_release_before_0143_still_writes_and_reads_decline_codes(
    bare_pool: asyncpg.Pool,
) -> None:
    await migrate(bare_pool, timeout=30)
    order = await PgOrderRepository(Database(bare_pool, timeout_s=5)).create(
        new_order(), actor="alice"
    )
    await _offer(bare_pool, order.id, "och_weird", "Do Not Honor")
    await _offer(bare_pool, order.id, "och_soldout", None)

    for before, after, reason, _ in AS_BEFORE:  # its writers: a reason, no code
        await bare_pool.execute(_AS_BEFORE, order.id, before, after, reason)

    assert await _codes(bare_pool, order.id) == [code for *_, code in AS_BEFORE]
    # Its order change names a move into `failed` by the reason, with 0142's function.
    code = await bare_pool.fetchval("SELECT decline_code_in($1)", "payment failed: do_not_honor")
    assert code == "do_not_honor"
