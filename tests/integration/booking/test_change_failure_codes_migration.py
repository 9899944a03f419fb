"""Why a flight change failed, as a code beside its sentence (booking/sql/0155): the change
offers and `last_change` notes failed before it get theirs from their reason once, by the shapes
their writers gave it; a reason of another shape keeps none (clients then word it generally)."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import msgspec

from booking.pg import Database
from booking.repository import PgOrderRepository
from skyfare.migrations import migrate
from tests.support.database import ORDER_INSERT_NEEDS, migrations_before
from tests.support.orders import new_order

KEPT = (
    "the airline's booking keeps the new flights, unpaid, and support settles it with the traveler"
)
AT = "2026-12-04T10:00:00Z"
# Each writer's reason before 0155 (booking/changes.py, change_money.py, change_compensation.py,
# change_airline.py) and the code it gets.
BEFORE: list[tuple[str, str | None]] = [
    ("the card payment of 40.00 USD failed (do_not_honor); the airline put the original flights"
     " back", "card_declined"),
    ("the card payment of 40.00 USD was never made; the airline put the original flights back",
     "card_not_charged"),
    ("the 12.50 USD cannot be given back: the order's charges hold 3.00 USD; the airline put the"
     " original flights back", "refund_not_possible"),
    ("the order changed while the change was confirmed; nothing was changed", "order_moved"),
    ("the airline refused to change the flights: sold out", "airline_refused"),
    ("the airline says this fare does not allow changes: basic", "fare_not_changeable"),
    ("the airline of this order (rest-airline) does not support changes through Skyfare; contact"
     " support to change it", "change_unsupported"),
    (f"the card payment of 40.00 USD was never made; the airline refused to undo the change: sold"
     f" out: {KEPT}", "airline_kept_new_flights"),
    ("the airline refused: sold out", None),  # a shape none of today's writers gives
]  # fmt: skip


async def _failed_offer(pool: asyncpg.Pool, order_id: str, change_id: str, reason: str) -> None:
    await pool.execute(
        "INSERT INTO order_changes (id, order_id, status, slice_index, supplier_fare_id,"
        " new_slice, fare_difference, penalty_amount, due_amount, new_total_amount, currency,"
        " refundable, changeable, order_status, order_payment_status, order_updated_at, actor,"
        " expires_at, failure_reason) VALUES ($1, $2, 'failed', 0, 'f1', '{}', 40.00, 0, 40.00,"
        " 140.00, 'USD', true, true, 'held', 'unpaid', now(), 'alice', now(), $3)",
        change_id, order_id, reason,
    )  # fmt: skip


async def test_0155_gives_the_failures_before_it_their_code(
    bare_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    await migrate(
        bare_pool,
        timeout=30,
        directories=[migrations_before(155, tmp_path, plus=ORDER_INSERT_NEEDS)],
    )
    orders = PgOrderRepository(Database(bare_pool, timeout_s=5))
    notes: dict[str, str | None] = {}
    for index, (reason, code) in enumerate(BEFORE):
        order = await orders.create(new_order(), actor="alice")
        await _failed_offer(bare_pool, order.id, f"och_{index}", reason)
        note = {"id": f"och_{index}", "status": "failed", "detail": reason, "at": AT}
        await bare_pool.execute(
            "UPDATE orders SET last_change = $2::jsonb WHERE id = $1",
            order.id, msgspec.json.encode(note).decode(),
        )  # fmt: skip
        notes[order.id] = code
    confirmed = await orders.create(new_order(), actor="alice")
    await bare_pool.execute(
        "UPDATE orders SET last_change = $2::jsonb WHERE id = $1",
        confirmed.id,
        msgspec.json.encode(
            {"id": "och_c", "status": "confirmed", "detail": "slice 1 changed", "at": AT}
        ).decode(),
    )

    await migrate(bare_pool, timeout=30)

    offers = await bare_pool.fetch("SELECT id, failure_code FROM order_changes ORDER BY id")
    by_offer = {r["id"]: r["failure_code"] for r in offers}
    assert by_offer == {f"och_{i}": code for i, (_, code) in enumerate(BEFORE)}
    for order_id, code in notes.items():
        note = await bare_pool.fetchval(
            "SELECT last_change ->> 'failure_code' FROM orders WHERE id = $1", order_id
        )
        assert note == code, order_id
    untouched = await bare_pool.fetchval(
        "SELECT last_change FROM orders WHERE id = $1", confirmed.id
    )
    assert "failure_code" not in untouched  # a confirmed change failed for no reason
