"""order_history.code: derived by PostgreSQL from each reason's shape
(booking/sql/0140_order_history_codes.sql, its function replaced by 0145, 0148, then 0150), for the
rows there were before the column (once, by the migration) and for every new one."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import asyncpg
import pytest

from booking.history_codes import HistoryCode
from skyfare.migrations import migrate
from tests.support.database import migrations_before

SQL = Path(__file__).parents[3] / "booking" / "sql"
MIGRATION = SQL / "0140_order_history_codes.sql"
# The migration whose `order_history_code()` is the one in force: the newest that defines it.
CODES = max(p for p in SQL.glob("*.sql") if "FUNCTION order_history_code(" in p.read_text())

# One reason of each shape as booking/ and payment/ write it (the writer beside each).
REASONS: list[tuple[str, str | None]] = [
    ("created", "created"),  # booking/create_sql.py CREATE_ORDER
    ("held at the airline", "held"),  # booking/creation.py
    ("payment started", "payment_started"),  # payment/service.py
    ("payment captured", "payment_captured"),  # payment/settlement.py
    ("paid and ticketed", "ticketed"),
    ("cancelled by traveler", "cancelled_by_traveler"),  # booking/service.py
    ("cancelled by support", "cancelled_by_support"),
    ("cancelled by traveler as quoted (ocr_3k2j)", "cancelled_as_quoted"),  # cancellations.py
    ("card refused: insufficient_funds", "card_refused"),  # payment/service.py
    ("payment failed: card_declined", "payment_failed"),  # payment/settlement.py
    ("payment captured after the order ended", "captured_after_end"),
    ("the airline has no hold (found by the reconciler)", "found_by_reconciler"),
    ("not paid by payment_required_by: released at the airline", "released_unpaid"),
    (
        "ticketing failed after payment (the airline refused); the payment was refunded",
        "ticketing_failed_refunded",
    ),
    ("ticketing failed", "ticketing_failed"),
    ("the airline refused the hold", "airline_refused"),  # booking/creation.py
    (
        "refund of 9.28 USD to pay_8d refused by the payment gateway (card_declined);"
        " it is retried",
        "refund_retrying",
    ),  # payment/cancellation_refunds.py
    (  # the gateway's code as it sent it (payment/wire.py gateway_code): any printable text
        "refund of 9.28 USD to pay_8d refused by the payment gateway (Do Not Honor); it is retried",
        "refund_retrying",
    ),
    (
        "refund of 9.28 USD to pay_8d refused by the payment gateway (Charge Disputed (N7));"
        " it is retried",
        "refund_retrying",
    ),
    ("refund owed: 9.28 USD to pay_8d", "refund_owed"),
    ("the flight change och_1 cost 80.00 USD less: refund owed: 80.00 USD to och_1", "refund_owed"),
    ("the order was cancelled: nothing to refund (a non-refundable fare)", "nothing_to_refund"),
    ("the order was cancelled: refunded 9.28 USD to pay_8d", "refunded"),
    ("refunded by the gateway", "refunded_by_gateway"),  # payment/settlement.py
    ("refunded by the gateway: 9.28 USD to pay_8d", "refunded_by_gateway"),  # since 0215
    ("the order was no longer waiting for this payment", "late_payment_refunded"),
    ("slice 1 changed to BA117 LHR 2026-12-20 08:25 (och_1)", "flight_changed"),  # change_store
    ("change och_1 failed: the airline refused: sold out", "change_failed"),
    ("seat change refused after payment, refunded: 14C was taken", "seat_change_refunded"),
    ("seats chosen: 14C (pas_1), 14D (pas_2)", "seats_chosen"),  # booking/seats.py, a first
    ("seats 14C (pas_1), 14D (pas_2)", "seats_changed"),  # booking/seats.py, replacing seats
    (  # booking/seat_history.py: one request doing both
        "seats chosen and changed: 14C (Ada Lovelace) in place of 12A, 14D (Charles Babbage)"
        " chosen",
        "seats_chosen_and_changed",
    ),
    ("passenger 1 name corrected from Ada Lovelace to Ada King", "name_corrected"),
    ("a reason nobody wrote yet", None),
]


@pytest.mark.parametrize(("reason", "code"), REASONS)
async def test_each_reason_shape_gets_its_code(
    booking_pool: asyncpg.Pool, reason: str, code: str | None
) -> None:
    assert await booking_pool.fetchval("SELECT order_history_code($1)", reason) == code


def test_the_database_and_the_api_know_the_same_codes() -> None:
    in_sql = set(re.findall(r"THEN '([a-z_]+)'", CODES.read_text()))
    assert in_sql == set(typing.get_args(HistoryCode))
    assert {code for _, code in REASONS if code} == in_sql  # every code has a sample above


_ORDER = """
INSERT INTO orders (id, owner, booking_reference, type, status, offer_id, connector,
                    total_amount, total_currency, slices)
VALUES ('ord_codes', 'alice', 'CODE42', 'hold', 'held', 'off_1', 'rest-x', 10, 'USD', '[]')"""
_NOTE = """
INSERT INTO order_history
    (order_id, from_status, to_status, from_payment_status, to_payment_status, reason, actor)
VALUES ('ord_codes', 'held', 'held', 'unpaid', 'unpaid', $1, 'alice')"""


async def test_new_rows_get_their_code_as_they_are_written(booking_pool: asyncpg.Pool) -> None:
    async with booking_pool.acquire() as conn:
        await conn.execute(_ORDER)
        await conn.execute(_NOTE, "seats 3A (pas_1)")
        await conn.execute(_NOTE, "a reason nobody wrote yet")
        rows = await conn.fetch("SELECT reason, code FROM order_history ORDER BY id")
    assert [tuple(r) for r in rows] == [
        ("seats 3A (pas_1)", "seats_changed"),
        ("a reason nobody wrote yet", None),
    ]


async def test_the_migration_gives_rows_written_before_it_their_code(
    booking_pool: asyncpg.Pool,
) -> None:
    add_column = MIGRATION.read_text().rpartition("ALTER TABLE")[2]
    async with booking_pool.acquire() as conn:
        await conn.execute("ALTER TABLE order_history DROP COLUMN code")  # as before 0140
        await conn.execute(_ORDER)
        await conn.execute(_NOTE, "payment started")
        await conn.execute("ALTER TABLE" + add_column)
        assert await conn.fetchval("SELECT code FROM order_history") == "payment_started"


async def _codes_before_then_migrate(
    pool: asyncpg.Pool, tmp_path: Path, version: int, reasons: list[tuple[str, str | None]]
) -> list[str | None]:
    """The codes `reasons` get when written with the migrations before `version` in force; then
    every migration runs (the rows' codes after it: `_stored(pool)`)."""
    await migrate(pool, timeout=30, directories=[migrations_before(version, tmp_path)])
    async with pool.acquire() as conn:
        await conn.execute(_ORDER)
        for reason, _ in reasons:
            await conn.execute(_NOTE, reason)
        before = await conn.fetch("SELECT code FROM order_history ORDER BY id")
    await migrate(pool, timeout=30)
    return [r["code"] for r in before]


async def _stored(pool: asyncpg.Pool) -> list[tuple[str, str | None]]:
    return [
        tuple(r) for r in await pool.fetch("SELECT reason, code FROM order_history ORDER BY id")
    ]


# Refused refunds as payment/cancellation_refunds.py wrote them before 0145, and their codes after.
REFUSALS: list[tuple[str, str | None]] = [
    ("refund of 9.28 USD to pay_8d refused by the payment gateway (card_declined); it is retried",
     "refund_retrying"),
    ("refund of 9.28 USD to pay_8d refused by the payment gateway (Do Not Honor); it is retried",
     "refund_retrying"),
    ("refund of 9.28 USD to pay_8d refused by the payment gateway (Charge Disputed (N7)); it is"
     " retried", "refund_retrying"),
    ("a reason nobody wrote yet", None),
]  # fmt: skip


async def test_refused_refunds_written_before_0145_get_their_code_whatever_the_gateway_said(
    bare_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    before = await _codes_before_then_migrate(bare_pool, tmp_path, 145, REFUSALS)
    assert before == ["refund_retrying", None, None, None]  # as 0140
    assert await _stored(bare_pool) == REFUSALS


# Seat steps as booking/seats.py writes them, and their codes once 0149 has run: a first choice
# written while 0145's function was in force is told apart; a change keeps its code.
SEAT_STEPS: list[tuple[str, str | None]] = [
    ("seats chosen: 3A (pas_1)", "seats_chosen"),
    ("seats 3C (pas_1)", "seats_changed"),
]


async def test_first_seat_choices_written_before_0148_get_their_code_and_changes_keep_theirs(
    bare_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    before = await _codes_before_then_migrate(bare_pool, tmp_path, 148, SEAT_STEPS)
    assert before == ["seats_changed", "seats_changed"]  # as 0145
    assert await _stored(bare_pool) == SEAT_STEPS


# A request that both chose and replaced seats, written while 0148's function was in force, and
# its code once 0151 has run; the two other shapes keep theirs.
MIXED_SEAT_STEPS: list[tuple[str, str | None]] = [
    ("seats chosen and changed: 3A (Ada Lovelace) in place of 2A, 3B (Charles Babbage) chosen",
     "seats_chosen_and_changed"),
    ("seats chosen: 3A (pas_1)", "seats_chosen"),
    ("seats 3C (pas_1)", "seats_changed"),
]  # fmt: skip


async def test_seats_chosen_and_changed_written_before_0150_get_their_code(
    bare_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    before = await _codes_before_then_migrate(bare_pool, tmp_path, 150, MIXED_SEAT_STEPS)
    assert before == ["seats_changed", "seats_chosen", "seats_changed"]  # as 0148
    assert await _stored(bare_pool) == MIXED_SEAT_STEPS
