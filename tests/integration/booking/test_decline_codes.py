"""Decline codes as fields (booking/sql/0142_decline_codes.sql): derived by PostgreSQL from the
reasons our writers give a declined card, for each history row and, while its payment status is
`failed`, for the order; given to the rows and notes written before the migration, once."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from booking.repository import PgOrderRepository
from booking.state import Change
from tests.support.orders import HOLD, new_order

MIGRATION = Path(__file__).parents[3] / "booking" / "sql" / "0142_decline_codes.sql"

# The reason of each writer that records a declined card, and a few that record none.
REASONS: list[tuple[str, str | None]] = [
    ("card refused: insufficient_funds", "insufficient_funds"),  # payment/service.py
    ("payment failed: generic_decline", "generic_decline"),  # payment/settlement.py
    ("payment failed: capture_failed", "capture_failed"),
    (  # booking/change_store.py's history row of booking/change_money.py's compensation
        "change och_1 failed: the card payment of 40.00 USD failed (do_not_honor); the airline"
        " put the original flights back",
        "do_not_honor",
    ),
    ("change och_1 failed: the card payment of 40.00 USD was never made", None),
    ("change och_1 failed: the airline refused: sold out", None),
    (  # a refund the gateway refused is not a declined card
        "refund of 9.28 USD to pay_8d refused by the payment gateway (card_declined);"
        " it is retried",
        None,
    ),
    ("payment started", None),
]

PAY = Change(
    from_status=("held",),
    from_payment=("unpaid", "failed"),
    to_payment="processing",
    reason="payment started",
)


def declined(code: str) -> Change:
    return Change(
        from_status=("held",),
        from_payment=("processing",),
        to_payment="failed",
        reason=f"payment failed: {code}",
    )


@pytest.mark.parametrize(("reason", "code"), REASONS)
async def test_each_declined_reason_gives_its_code(
    booking_pool: asyncpg.Pool, reason: str, code: str | None
) -> None:
    assert await booking_pool.fetchval("SELECT decline_code_in($1)", reason) == code


async def test_an_order_names_the_decline_of_its_failed_payment_until_it_is_paid_again(
    repository: PgOrderRepository,
) -> None:
    order = await repository.create(new_order(), actor="alice")
    await repository.transition(order.id, HOLD, actor="booking")
    await repository.transition(order.id, PAY, actor="alice")
    moved = await repository.transition(order.id, declined("do_not_honor"), actor="payments")

    assert moved is not None
    assert moved.payment_decline_code == "do_not_honor"  # as returned by the change itself
    got = await repository.get(order.id)
    assert got is not None
    assert got.payment_decline_code == "do_not_honor"
    history = await repository.history(order.id)
    assert [h.decline_code for h in history] == [None, None, None, "do_not_honor"]

    retried = await repository.transition(order.id, PAY, actor="alice")
    assert retried is not None
    assert retried.payment_decline_code is None
    again = await repository.transition(order.id, declined("insufficient_funds"), actor="payments")
    assert again is not None
    assert again.payment_decline_code == "insufficient_funds"  # the latest failure's
    cancel = Change(from_status=("held",), to_status="cancelled", reason="cancelled by traveler")
    cancelled = await repository.transition(order.id, cancel, actor="alice")
    assert cancelled is not None
    assert (cancelled.payment_status, cancelled.payment_decline_code) == (
        "failed",
        "insufficient_funds",
    )  # a later step that keeps the payment failed keeps its code


async def test_the_migration_gives_what_was_written_before_it_its_decline_code(
    booking_pool: asyncpg.Pool, repository: PgOrderRepository
) -> None:
    order = await repository.create(new_order(), actor="alice")
    failed = (
        '{"id": "och_1", "status": "failed", "at": "2026-12-04T10:00:00Z", "detail": "the card'
        " payment of 40.00 USD failed (insufficient_funds); the airline put the original flights"
        ' back"}'
    )
    async with booking_pool.acquire() as conn:
        # As before 0142: no function, no columns, notes without the field.
        await conn.execute("ALTER TABLE order_changes DROP COLUMN decline_code")
        await conn.execute("DROP FUNCTION decline_code_in CASCADE")
        await conn.execute(
            "INSERT INTO order_history (order_id, from_status, to_status, from_payment_status,"
            " to_payment_status, reason, actor)"
            " VALUES ($1, 'held', 'held', 'processing', 'failed', 'payment failed: expired_card',"
            " 'payments')",
            order.id,
        )
        await conn.execute(
            "UPDATE orders SET last_change = $2::jsonb WHERE id = $1", order.id, failed
        )
        await conn.execute(MIGRATION.read_text())
        codes = await conn.fetch(
            "SELECT decline_code FROM order_history WHERE order_id = $1 ORDER BY id", order.id
        )
        note = await conn.fetchval(
            "SELECT last_change ->> 'decline_code' FROM orders WHERE id = $1", order.id
        )
    assert [r["decline_code"] for r in codes] == [None, "expired_card"]
    assert note == "insufficient_funds"
