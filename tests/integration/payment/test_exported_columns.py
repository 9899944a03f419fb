"""Every column of a table the traveler's data export reads their charges from is exported or
left out on purpose, read from the migrated schema itself: a column a migration adds fails
here until the export carries it or says why it does not (skyfare/privacy_documents.py,
payment/exported_charges.py). tests/unit/skyfare/test_privacy_export.py checks the Structs
against each other; this checks them against the tables."""

from __future__ import annotations

import asyncpg
import msgspec
import pytest

from payment.exported_charges import (
    CHANGE_CHARGE_COLUMNS_NOT_EXPORTED,
    SEAT_CHARGE_COLUMNS_NOT_EXPORTED,
    ChangeChargeRecord,
    SeatChargeRecord,
)
from skyfare.privacy_documents import (
    PAYMENT_COLUMNS_NOT_READ,
    PAYMENT_FIELDS_NOT_EXPORTED,
    PaymentRecord,
)

EXPORTS = {
    "payments": (PaymentRecord, PAYMENT_FIELDS_NOT_EXPORTED + PAYMENT_COLUMNS_NOT_READ),
    "seat_charges": (SeatChargeRecord, SEAT_CHARGE_COLUMNS_NOT_EXPORTED),
    "order_changes": (ChangeChargeRecord, CHANGE_CHARGE_COLUMNS_NOT_EXPORTED),
}


async def _columns(pool: asyncpg.Pool, table: str) -> set[str]:
    rows = await pool.fetch(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = $1",
        table,
    )
    return {row["column_name"] for row in rows}


@pytest.mark.parametrize("table", sorted(EXPORTS))
async def test_every_column_of_a_charge_is_exported_or_left_out_on_purpose(
    payment_pool: asyncpg.Pool, table: str
) -> None:
    record, left_out = EXPORTS[table]
    exported = {field.name for field in msgspec.structs.fields(record)}

    assert exported | set(left_out) == await _columns(payment_pool, table)
    assert not exported & set(left_out)
