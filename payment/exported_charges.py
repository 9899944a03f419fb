"""A traveler's card charges beside their payments, as the personal-data export gives them
(`GET /v1/me/export`, skyfare/privacy.py): seats bought after booking (`seat_charges`,
booking/sql/0115) and the differences flight changes put to a card (`order_changes` with a
payment intent, booking/sql/0130).

Each record is every column of its table but those left out on purpose (`*_NOT_EXPORTED`,
each saying why), read by name: tests/integration/payment/test_exported_columns.py fails when
a column is added to a table and neither exported nor left out here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import asyncpg
import msgspec

from booking.change_terms import ChangeStatus
from booking.model import ChangeFailure, OrderSeat
from connectors.model import Slice
from kernel.pg import Database
from payment.seat_charges import ChargeStatus

# The owner is the caller; `asked_at` and `audited_at` are when the reconciler last asked the
# gateway about the charge and when the audit last read it (their schedules); `refund_attempt`
# counts the gateway's refusals, for the refund's idempotency keys (payment/model.py).
SEAT_CHARGE_COLUMNS_NOT_EXPORTED = ("owner", "asked_at", "audited_at", "refund_attempt")
# The airline's key of the fare offered (`supplier_fare_id`), the order as it was when the
# change was quoted (a guard against changes since: `order_status`, `order_payment_status`,
# `order_updated_at`), a confirmation's lease (`claimed_until`) and the audit's schedule.
CHANGE_CHARGE_COLUMNS_NOT_EXPORTED = (
    "supplier_fare_id",
    "order_status",
    "order_payment_status",
    "order_updated_at",
    "claimed_until",
    "audited_at",
)


class SeatChargeRecord(msgspec.Struct, frozen=True, kw_only=True):
    """Seats bought after booking and their card charge, as exported."""

    id: str
    order_id: str
    amount: Decimal
    currency: str
    seats: tuple[OrderSeat, ...]  # the seats bought
    status: ChargeStatus  # processing, succeeded, failed, refunding, refunded
    gateway_intent_id: str | None
    failure_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    card_last4: str | None  # the card's last four digits, as the gateway named them
    by_gateway: Decimal  # of what its refund gave back, what the gateway's dashboard gave
    # The bank's page the charge waited on (3-D Secure), as its trip showed it (its
    # `next_action`); None for any other charge.
    action_url: str | None = None


class ChangeChargeRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A flight change whose difference was put to a card (`payment_intent_id`), as exported:
    the new flight, what it cost and how it ended."""

    id: str
    order_id: str
    status: ChangeStatus
    slice_index: int
    new_slice: Slice
    fare_difference: Decimal
    penalty_amount: Decimal
    due_amount: Decimal  # what the card was charged
    new_total_amount: Decimal
    new_tax_amount: Decimal | None
    currency: str
    refundable: bool
    changeable: bool
    actor: str  # who asked for it (the traveler, or support), as the order's history says
    expires_at: dt.datetime
    created_at: dt.datetime
    payment_intent_id: str | None
    failure_reason: str | None
    confirmed_at: dt.datetime | None
    confirmed_by: str | None
    decline_code: str | None
    card_last4: str | None
    failure_code: ChangeFailure | None
    # The bank's page its charge waited on (3-D Secure) and since when, as its change showed it
    # (`next_action`); None for any other change (booking/sql/0158).
    action_url: str | None = None
    bank_asked_at: dt.datetime | None = None


def _columns(record: type[msgspec.Struct]) -> str:
    return ", ".join(field.name for field in msgspec.structs.fields(record))


_SEAT_CHARGES = (
    f"SELECT {_columns(SeatChargeRecord)} FROM seat_charges"
    " WHERE order_id = ANY($1::text[]) ORDER BY created_at, id"
)
_CHANGE_CHARGES = (
    f"SELECT {_columns(ChangeChargeRecord)} FROM order_changes"
    " WHERE order_id = ANY($1::text[]) AND payment_intent_id IS NOT NULL"
    " ORDER BY created_at, id"
)
_seats = msgspec.json.Decoder(tuple[OrderSeat, ...])
_slice = msgspec.json.Decoder(Slice)


def _seat_charge(row: asyncpg.Record) -> SeatChargeRecord:
    fields: dict[str, Any] = dict(row)
    return SeatChargeRecord(**{**fields, "seats": _seats.decode(fields["seats"])})


def _change_charge(row: asyncpg.Record) -> ChangeChargeRecord:
    fields: dict[str, Any] = dict(row)
    return ChangeChargeRecord(**{**fields, "new_slice": _slice.decode(fields["new_slice"])})


class PgExportedCharges:
    """The seat and change charges of a traveler's orders, for their data export."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def of_orders(
        self, order_ids: Sequence[str]
    ) -> tuple[list[SeatChargeRecord], list[ChangeChargeRecord]]:
        """Every seat charge and every change charge of these orders, oldest first."""
        async with self._db.connection() as conn:
            seats = await conn.fetch(_SEAT_CHARGES, list(order_ids), timeout=self._db.timeout_s)
            changes = await conn.fetch(_CHANGE_CHARGES, list(order_ids), timeout=self._db.timeout_s)
        return [_seat_charge(r) for r in seats], [_change_charge(r) for r in changes]
