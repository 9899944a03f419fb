"""When an order's flights leave, in UTC: a trip that has begun can no longer be cancelled (its
refund would pay back a flight flown, or a no-show), and a slice that has left can no longer be
changed. Segment times are the airport's local time; its zone makes them UTC."""

from __future__ import annotations

import datetime as dt

from booking.limits import zone_of
from booking.model import Order
from connectors.model import Slice
from kernel.auth import Principal
from kernel.errors import Conflict, FieldError, ValidationFailed

# An airport whose zone is not known: the latest UTC its local time can be (UTC-12), so nothing
# that may not have left yet is refused.
LATEST_LOCAL_OFFSET = dt.timedelta(hours=12)


def departure_utc(piece: Slice) -> dt.datetime:
    first = piece.segments[0]
    zone = zone_of(first.origin)
    if zone is None:
        return (first.departing_at + LATEST_LOCAL_OFFSET).replace(tzinfo=dt.UTC)
    return first.departing_at.replace(tzinfo=zone).astimezone(dt.UTC)


def has_left(piece: Slice, now: dt.datetime) -> bool:
    """Whether `piece`'s first flight has left at `now` (aware)."""
    return now >= departure_utc(piece)


def check_not_begun(principal: Principal, order: Order, now: dt.datetime) -> None:
    """`Conflict` once the order's first flight has left: the trip can no longer be cancelled
    by its traveler. Support settles what a flown or missed trip is owed (a flight the airline
    cancelled, say), so a support principal still may. The problem's `departed_at` (UTC) tells
    this 409 from the order's others, so a client can say it in words."""
    if not principal.is_support and order.slices and has_left(order.slices[0], now):
        raise Conflict(
            "the trip has begun: its first flight has left, so it can no longer be cancelled;"
            " contact support",
            departed_at=departure_utc(order.slices[0]),
        )


def slice_left(order: Order, slice_index: int, now: dt.datetime) -> Conflict | None:
    """The 409 of confirming a change of a slice whose first flight has left at `now`; None
    while it has not. Its `departed_at`, as a begun trip's, tells it from the order's other
    409s, so a client says which flight left and when instead of "search again"."""
    piece = order.slices[slice_index]
    if not has_left(piece, now):
        return None
    return Conflict(
        "this slice's first flight has left: it can no longer be changed",
        departed_at=departure_utc(piece),
    )


def check_slice_not_left(order: Order, slice_index: int, now: dt.datetime) -> None:
    """`ValidationFailed` naming `slice_index` once that slice's first flight has left."""
    if has_left(order.slices[slice_index], now):
        message = f"slice {slice_index}'s first flight has left: it can no longer be changed"
        raise ValidationFailed([FieldError("slice_index", message)])
