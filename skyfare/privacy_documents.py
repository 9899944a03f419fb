"""What `GET /v1/me/export` and `DELETE /v1/me` answer (skyfare/privacy.py): the export's
orders and their charges as stored, and the erasure's report. An export is every field of the
stored `Order` and `Payment` but those named here as internal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

import msgspec

from booking.history import ExportedStep, exported_steps
from booking.model import (
    FareTerms,
    LastChange,
    Order,
    OrderSeat,
    OrderStatus,
    OrderType,
    Passenger,
)
from booking.model import PaymentStatus as OrderPaymentStatus
from booking.rows import HistoryRow
from connectors.model import Slice
from payment.exported_charges import ChangeChargeRecord, SeatChargeRecord
from payment.model import Payment, PaymentStatus
from support.model import CaseView
from users.model import UserExport


class PaymentRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A payment as exported: every column but the owner (the caller)."""

    id: str
    order_id: str
    amount: Decimal
    currency: str
    status: PaymentStatus  # the payment's own: processing, succeeded, failed, refunding, refunded
    gateway_intent_id: str | None
    failure_reason: str | None
    refund_reason: str | None
    gateway_refund_id: str | None
    refunded_amount: Decimal | None
    created_at: dt.datetime
    updated_at: dt.datetime
    refunded_at: dt.datetime | None
    card_last4: str | None = None  # the card's last four digits, as the gateway named them
    # Of `refunded_amount`, what the gateway's dashboard gave back rather than Skyfare.
    by_gateway: Decimal = Decimal("0.00")
    # The bank's page the payment waited on (3-D Secure), as its order showed it
    # (`payment_next_action`); None for any other payment.
    action_url: str | None = None

    @classmethod
    def of(cls, payment: Payment) -> PaymentRecord:
        fields = msgspec.structs.asdict(payment)
        for internal in PAYMENT_FIELDS_NOT_EXPORTED:
            del fields[internal]
        return cls(**fields)


# What an export leaves out of the stored Structs: the owner is the caller, the rest internal
# (an order's `version` is its row version, for guarding changes; a payment's `refund_attempt`
# counts the gateway's refusals, for its idempotency keys; an order's `payment_action_url` is
# its payment's `action_url` read through it, exported with the payment; its
# `change_at_the_bank` a flight change's bank's page read through it, while the change waits).
# ExportedOrder and PaymentRecord are every other field of Order and Payment, declared again
# only so that the export's schema reads in the API's order; tests/unit/skyfare/
# test_privacy_export.py fails when a field is added to one side and not the other.
ORDER_FIELDS_NOT_EXPORTED = (
    "owner",
    "connector",
    "version",
    "payment_action_url",
    "change_at_the_bank",
)
PAYMENT_FIELDS_NOT_EXPORTED = ("owner", "order_paid", "order_failure_reason", "refund_attempt")
# Columns of `payments` no `Payment` holds, so none exported: when the reconciler last asked
# the gateway about it and when the audit last read it (their schedules, payment/sql/0208, 0213).
PAYMENT_COLUMNS_NOT_READ = ("asked_at", "audited_at")


class ExportedOrder(msgspec.Struct, frozen=True, kw_only=True):
    """An order as exported: as stored (internal statuses included), with its changes and
    every charge of it: payments, seat charges and change charges."""

    id: str
    booking_reference: str
    type: OrderType
    status: OrderStatus
    payment_status: OrderPaymentStatus
    payment_required_by: dt.datetime | None
    total_amount: Decimal
    total_currency: str
    slices: tuple[Slice, ...]
    passengers: tuple[Passenger, ...]
    airline_locator: str | None
    ticket_numbers: tuple[str, ...]
    failure_reason: str | None
    offer_id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    history: tuple[ExportedStep, ...]  # each with its details, as the history route's
    payments: tuple[PaymentRecord, ...]
    seat_charges: tuple[SeatChargeRecord, ...]  # seats bought after booking
    change_charges: tuple[ChangeChargeRecord, ...]  # flight changes' differences charged
    terms: FareTerms | None = None  # the taxes and fare conditions it was sold under
    last_change: LastChange | None = None  # how its last flight change ended
    seats: tuple[OrderSeat, ...] = ()  # each passenger's seat per segment
    payment_decline_code: str | None = None  # why its failed payment was declined

    @classmethod
    def of(cls, order: Order, history: Sequence[HistoryRow], charges: Charges) -> ExportedOrder:
        """`order` with its history and those of `charges` that are its own."""
        fields = msgspec.structs.asdict(order)
        for internal in ORDER_FIELDS_NOT_EXPORTED:
            del fields[internal]
        return cls(
            **fields,
            history=exported_steps(history, order.passengers),
            payments=tuple(PaymentRecord.of(p) for p in charges.payments if p.order_id == order.id),
            seat_charges=tuple(c for c in charges.seats if c.order_id == order.id),
            change_charges=tuple(c for c in charges.changes if c.order_id == order.id),
        )


class Charges(NamedTuple):
    """Every charge of a traveler's orders, each order's picked out by `ExportedOrder.of`."""

    payments: Sequence[Payment] = ()
    seats: Sequence[SeatChargeRecord] = ()
    changes: Sequence[ChangeChargeRecord] = ()


class DataExport(msgspec.Struct, frozen=True, kw_only=True):
    """`GET /v1/me/export`: everything this service holds about the caller."""

    subject: str
    exported_at: dt.datetime
    user: UserExport
    orders: tuple[ExportedOrder, ...]
    support_cases: tuple[CaseView, ...] = ()  # opened by them, or anonymously about their orders


class Erased(msgspec.Struct, frozen=True, kw_only=True):
    profile: bool
    saved_travelers: int
    passengers_contact_details: int  # passengers whose email and phone number were removed
    support_cases: int = 0  # cases whose subject and messages were erased


class Kept(msgspec.Struct, frozen=True, kw_only=True):
    what: str
    count: int
    why: str


class ErasureReport(msgspec.Struct, frozen=True, kw_only=True):
    """`DELETE /v1/me`: what was erased, what was kept and why."""

    erased: Erased
    kept: tuple[Kept, ...]
    detail: str
