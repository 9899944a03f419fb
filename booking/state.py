"""The order state machine: which changes of `status` and `payment_status` are allowed (pure).

Every change goes through `OrderRepository.transition` as a guarded UPDATE
(`... WHERE status = ANY(from_status) [AND payment_status = ANY(from_payment)]`); `check` refuses
a `Change` whose guard admits a move this table does not allow, before any SQL runs, so a bug
cannot write an impossible history. Self-moves are not transitions: a change that keeps the
status names no `to_status`.

status:          pending → held | failed | expired
                 held → confirmed | cancelled | expired
                 confirmed → cancelled
                 cancelled, expired, failed: final
payment_status:  unpaid → processing | paid | failed
                 processing → paid | failed
                 failed → processing           (the traveler tries another card)
                 paid → refunded
                 refunded: final
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from booking.events import EventType, OrderSnapshot
from booking.history_details import HistoryDetails
from booking.model import OrderStatus, PaymentStatus

STATUS_MOVES: dict[OrderStatus, frozenset[OrderStatus]] = {
    "pending": frozenset({"held", "failed", "expired"}),
    "held": frozenset({"confirmed", "cancelled", "expired"}),
    "confirmed": frozenset({"cancelled"}),
    "cancelled": frozenset(),
    "expired": frozenset(),
    "failed": frozenset(),
}
PAYMENT_MOVES: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    "unpaid": frozenset({"processing", "paid", "failed"}),
    "processing": frozenset({"paid", "failed"}),
    "failed": frozenset({"processing"}),
    "paid": frozenset({"refunded"}),
    "refunded": frozenset(),
}
# The event a change emits, by what it changed to (in this order when both change).
STATUS_EVENTS: dict[OrderStatus, EventType] = {
    "held": "order.held",
    "confirmed": "order.confirmed",
    "cancelled": "order.cancelled",
    "expired": "order.expired",
    "failed": "order.failed",
}
PAYMENT_EVENTS: dict[PaymentStatus, EventType] = {
    "failed": "payment.failed",
    "refunded": "payment.refunded",
}


class IllegalTransition(ValueError):
    """A `Change` admits a move the state machine forbids: a bug in the caller."""


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """One guarded transition of one order.

    It applies only while the order's status is one of `from_status` (and, when given, its
    payment status one of `from_payment`). `to_status` / `to_payment` None keep the value. The
    optional fields are written when not None. `reason` goes into the history row, and so do
    `details`, what the reason says as fields (booking/history_details.py), and `decline_code`,
    the card gateway's code of a move into payment `failed` (the order's `payment_decline_code`
    while it stays failed), and into its `payment.failed` event, whose mail says why in words.
    `events` overrides the events derived from the change (`events_of`), e.g. to emit none.
    """

    from_status: tuple[OrderStatus, ...]
    to_status: OrderStatus | None = None
    from_payment: tuple[PaymentStatus, ...] | None = None
    to_payment: PaymentStatus | None = None
    reason: str
    details: HistoryDetails | None = None
    airline_locator: str | None = None
    payment_required_by: dt.datetime | None = None
    total_amount: Decimal | None = None
    total_currency: str | None = None
    ticket_numbers: tuple[str, ...] | None = None
    failure_reason: str | None = None
    decline_code: str | None = None
    events: tuple[EventType, ...] | None = None
    # Carried by the change's events only (booking/events.py), never stored on the order.
    refund_amount: Decimal | None = None
    penalty_amount: Decimal | None = None
    refund_card_last4: str | None = None  # the card a refund went back to


def check(change: Change) -> None:
    """Raise `IllegalTransition` unless every move the guard admits is allowed."""
    if not change.from_status:
        raise IllegalTransition("a change needs at least one from_status")
    if change.to_status is None and change.to_payment is None:
        raise IllegalTransition("a change must change the status or the payment status")
    if change.to_status is not None:
        for status in change.from_status:
            if change.to_status not in STATUS_MOVES[status]:
                raise IllegalTransition(f"status {status} → {change.to_status} is not allowed")
    if change.decline_code is not None and change.to_payment != "failed":
        raise IllegalTransition("only a move into payment failed records a decline code")
    if change.to_payment is not None:
        if change.from_payment is None:
            raise IllegalTransition("a payment change must name its from_payment guard")
        for payment in change.from_payment:
            if change.to_payment not in PAYMENT_MOVES[payment]:
                raise IllegalTransition(f"payment {payment} → {change.to_payment} is not allowed")


def can_move(status: OrderStatus, to: OrderStatus) -> bool:
    return to in STATUS_MOVES[status]


def can_pay_move(payment: PaymentStatus, to: PaymentStatus) -> bool:
    return to in PAYMENT_MOVES[payment]


def events_of(change: Change) -> tuple[EventType, ...]:
    """The events the change emits: its own list, else one per changed field."""
    if change.events is not None:
        return change.events
    found: list[EventType] = []
    if change.to_status is not None:
        found.append(STATUS_EVENTS[change.to_status])
    if change.to_payment is not None and change.to_payment in PAYMENT_EVENTS:
        found.append(PAYMENT_EVENTS[change.to_payment])
    return tuple(found)


def told(snapshot: OrderSnapshot, change: Change) -> OrderSnapshot:
    """The order as the change's events carry it: with what the change says beyond its row
    (a refund and the penalty kept, the card refunded, the gateway's decline code)."""
    return msgspec.structs.replace(
        snapshot,
        refund_amount=change.refund_amount,
        penalty_amount=change.penalty_amount,
        refund_card_last4=change.refund_card_last4,
        payment_decline_code=change.decline_code,
    )
