"""What changing one slice of an order costs, by its fare conditions (pure).

- The fare difference is the airline's: its total for the booking with the new slice minus its
  total as booked (it prices the whole booking; what is kept is not re-priced).
- The change penalty follows the fare conditions the order was sold under (`FareTerms`):
  a fare that does not allow changes cannot be changed (422); a refundable (flexible) fare
  changes for free; a changeable, non-refundable fare pays `CHANGE_FEE_SHARE` of its fare
  (taxes excluded, which the airline levies per flown passenger, not per booking).
- Money moves only on a paid order: the difference plus the penalty is charged to a card (> 0)
  or refunded to the card that paid (< 0). An unpaid hold just gets the new total and pays it
  when it pays, with no penalty (nothing was ticketed yet).
A change is quoted only on a live order with no payment in flight (`check_quotable`, shared with
cancellation quotes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

import msgspec

from booking.cancellation_terms import NOTHING, check_quotable, describes, is_quote_id, new_quote_id
from booking.history_details import HistoryFlight
from booking.model import (
    ChangeFailure,
    Order,
    OrderSeat,
    OrderStatus,
    PaymentStatus,
    stored_cents,
)
from connectors.model import CabinClass, Slice
from connectors.seat_model import segment_id_of
from kernel.dates import day_words
from kernel.errors import NotChangeable

CHANGE_ID_PREFIX = "och_"
CHANGE_FEE_SHARE = Decimal("0.10")
ChangeStatus = Literal["quoted", "confirming", "confirmed", "failed"]


def new_change_id() -> str:
    return new_quote_id(CHANGE_ID_PREFIX)


def is_change_id(value: str) -> bool:
    return is_quote_id(value, CHANGE_ID_PREFIX)


class SliceSearch(msgspec.Struct, frozen=True, kw_only=True):
    """`POST /v1/orders/{id}/changes`: which slice to replace (0-based) and how to fly it
    instead. `cabin_class` must be the booked cabin (a change keeps the fare's cabin);
    omitted, it is."""

    slice_index: int
    origin: str
    destination: str
    departure_date: dt.date
    cabin_class: CabinClass | None = None


class Pricing(msgspec.Struct, frozen=True):
    """`due` = `difference` + `penalty` when money moves now (> 0 charged, < 0 refunded);
    `new_total` is what the order totals afterwards."""

    difference: Decimal
    penalty: Decimal
    due: Decimal
    new_total: Decimal


def check_changeable(order: Order) -> None:
    """`Conflict` for an order that is over or being paid, `NotChangeable` for a fare whose
    conditions forbid changes; fare terms unknown (older orders): the airline decides."""
    check_quotable(order, "change")
    if order.terms is not None and not order.terms.changeable:
        raise NotChangeable(
            "this order's fare does not allow changes (its conditions say changeable: false); "
            "cancel it instead, or contact support"
        )


def change_penalty(order: Order, old_total: Decimal) -> Decimal:
    """The fee the fare conditions set for changing a paid order: a share of its fare as the
    airline prices the booking (`old_total`), taxes excluded. Not of the order's total, which
    also holds the seats chosen on the hold and the fees of earlier changes: no fee on those."""
    if order.payment_status != "paid" or order.terms is None or order.terms.refundable:
        return NOTHING
    fare = max(old_total - order.terms.tax_amount, NOTHING)
    return stored_cents(fare * CHANGE_FEE_SHARE)


def price_change(order: Order, old_total: Decimal, new_total: Decimal) -> Pricing:
    """What changing `order` costs when the airline prices its booking `old_total` as it is and
    `new_total` with the new slice (both in the order's currency)."""
    difference = new_total - old_total
    penalty = change_penalty(order, old_total)
    due = difference + penalty if order.payment_status == "paid" else NOTHING
    # The traveler can never be owed more than they paid: a much cheaper slice refunds at most
    # the order's total.
    due = max(due, -order.total_amount)
    return Pricing(
        difference, penalty, due, max(order.total_amount + difference + penalty, NOTHING)
    )


def same_flights(new_slice: Slice, booked: Slice) -> bool:
    """Whether `new_slice` flies the very flights of `booked`: no change at all, though an
    airline reshopping the booked day offers them too (at today's fare)."""
    return _flights(new_slice) == _flights(booked)


def _flights(piece: Slice) -> list[tuple[str, dt.datetime]]:
    return [(s.flight_number, s.departing_at) for s in piece.segments]


def replaced_seats(order: Order, slice_index: int) -> tuple[OrderSeat, ...]:
    """The seats the order holds on slice `slice_index`'s flights: a change of that slice
    releases them (the new flights' seats are chosen anew; none is carried over)."""
    replaced = {segment_id_of(s) for s in order.slices[slice_index].segments}
    return tuple(seat for seat in order.seats if seat.segment_id in replaced)


def seat_credit(order: Order, slice_index: int) -> Decimal:
    """What an unpaid hold's total drops by when the slice's seats go with it (it would have
    paid for them); a paid order's seats were paid: nothing comes off."""
    if order.payment_status == "paid":
        return NOTHING
    return sum((s.total_amount for s in replaced_seats(order, slice_index)), NOTHING)


class ChangeOffer(msgspec.Struct, frozen=True, kw_only=True):
    """A stored change offer and the order as it was when it was made."""

    id: str
    order_id: str
    status: ChangeStatus
    slice_index: int
    supplier_fare_id: str
    new_slice: Slice
    fare_difference: Decimal
    penalty_amount: Decimal
    due_amount: Decimal
    new_total_amount: Decimal
    new_tax_amount: Decimal | None
    currency: str
    refundable: bool
    changeable: bool
    order_status: OrderStatus
    order_payment_status: PaymentStatus
    order_updated_at: dt.datetime
    expires_at: dt.datetime
    created_at: dt.datetime
    payment_intent_id: str | None = None
    failure_reason: str | None = None
    confirmed_at: dt.datetime | None = None
    decline_code: str | None = None  # the card gateway's, when a declined card failed it
    failure_code: ChangeFailure | None = None  # why it failed (booking.model.ChangeFailure)
    # Its charge waits for the traveler at this bank's page (3-D Secure; 0158), since then.
    action_url: str | None = None
    bank_asked_at: dt.datetime | None = None

    def expired(self, now: dt.datetime) -> bool:
        return self.status == "quoted" and now >= self.expires_at

    def describes(self, order: Order) -> bool:
        return describes(self, order)


def changed_flight(
    slice_index: int, new_slice: Slice, released: Sequence[OrderSeat]
) -> HistoryFlight:
    """The history step's details of a change of slice `slice_index` to `new_slice`, as
    `summary` words its flight (and the seats `released` with the old flights)."""
    first = new_slice.segments[0]
    return HistoryFlight(
        slice=slice_index + 1,
        origin=new_slice.origin,
        destination=new_slice.destination,
        departure_date=first.departing_at.date(),
        departure_time=first.departing_at.strftime("%H:%M"),
        flights=tuple(s.flight_number for s in new_slice.segments),
        released_seats=tuple(s.designator for s in released),
    )


def summary(new_slice: Slice) -> str:
    """The new slice in words, for the traveler's mail and the order's history:
    `LHR → JFK on 21 Dec 2026 (BA117 at 08:25)`, its day worded as every mail words one."""
    first = new_slice.segments[0]
    flights = ", ".join(s.flight_number for s in new_slice.segments)
    day, time = day_words(first.departing_at), first.departing_at.strftime("%H:%M")
    return f"{new_slice.origin} → {new_slice.destination} on {day} ({flights} at {time})"
