"""What one traveler may hold at once, and until when (pure; OWASP API6, airline practice).

Without limits one token held all 90 seats of a flight in two seconds — nine adults at a time,
following the new offer id of each 409 — for 24 hours, and the flight vanished from search.

- **Open holds**: orders `pending` or `held` whose payment is `unpaid` or `failed` (a payment in
  `processing` or `paid` is a purchase under way, not a hold). A traveler may have at most
  `max_open_holds` of them, holding at most `max_held_seats` seats in all and
  `max_held_seats_per_flight` on any one flight (a flight is its flight number and departure
  date; infants sit on a lap and take no seat). The repository checks them in the statement
  that inserts the order, under a per-traveler lock (booking/repository.py), so concurrent
  requests cannot all slip under the cap.
- **Hold window**: a hold lasts `hold_window_s` from the order's creation, never longer than the
  airline's own time limit, and never past departure.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import airportsdata
import msgspec

from booking.model import Order, Passenger
from booking.seat_booking import seats_total
from booking.state import Change
from connectors.model import Hold, Slice
from kernel.errors import LimitReached

LimitName = Literal["open_holds", "held_seats", "held_seats_per_flight"]
LIMIT_NAMES: tuple[LimitName, ...] = ("open_holds", "held_seats", "held_seats_per_flight")
Flight = tuple[str, dt.date]  # flight number (carrier + number), departure date


class OrderLimits(msgspec.Struct, frozen=True):
    """Caps on one traveler's open holds (support tokens are not held to them); 0: no cap."""

    max_open_holds: int
    max_held_seats: int
    max_held_seats_per_flight: int

    @property
    def any(self) -> bool:
        return bool(self.max_open_holds or self.max_held_seats or self.max_held_seats_per_flight)


class OpenHold(msgspec.Struct, frozen=True):
    """An open hold as far as limits go: its flights and the seats it takes."""

    flights: frozenset[Flight]
    seats: int


def flights_of(slices: Iterable[Slice]) -> frozenset[Flight]:
    return frozenset(
        (segment.flight_number, segment.departing_at.date())
        for s in slices
        for segment in s.segments
    )


def seats_of(passengers: Iterable[Passenger]) -> int:
    return sum(1 for p in passengers if p.type != "infant")


class HeldTotals(msgspec.Struct, frozen=True):
    """What a traveler's open holds add up to, as far as a new order's caps go: how many, the
    seats they take, and the seats they take on each of the new order's flights."""

    holds: int
    seats: int
    on_flight: dict[Flight, int]


def totals_of(held: Sequence[OpenHold], flights: Iterable[Flight]) -> HeldTotals:
    return HeldTotals(
        holds=len(held),
        seats=sum(h.seats for h in held),
        on_flight={f: sum(h.seats for h in held if f in h.flights) for f in flights},
    )


def check_limits(limits: OrderLimits, held: Sequence[OpenHold], new: OpenHold) -> None:
    """Raise `LimitReached` unless `new` fits beside the traveler's open holds `held`."""
    check_totals(limits, totals_of(held, new.flights), new)


def check_totals(limits: OrderLimits, held: HeldTotals, new: OpenHold) -> None:
    """Raise `LimitReached` unless `new` fits beside open holds adding up to `held`. The same
    rules, in SQL, decide whether an order is inserted (booking/create_sql.py's limited create)."""
    if limits.max_open_holds and held.holds + 1 > limits.max_open_holds:
        raise LimitReached(
            f"you have {held.holds} unpaid holds, the most allowed at once is "
            f"{limits.max_open_holds}: pay or cancel one first",
            limit="open_holds",
            maximum=limits.max_open_holds,
            current=held.holds,
        )
    seats = held.seats
    if limits.max_held_seats and seats + new.seats > limits.max_held_seats:
        raise LimitReached(
            f"this order would hold {seats + new.seats} seats in your unpaid holds, the most "
            f"allowed is {limits.max_held_seats}: pay or cancel a hold first",
            limit="held_seats",
            maximum=limits.max_held_seats,
            current=seats,
        )
    for flight in sorted(new.flights) if limits.max_held_seats_per_flight else ():
        on_flight = held.on_flight.get(flight, 0)
        if on_flight + new.seats > limits.max_held_seats_per_flight:
            raise LimitReached(
                f"this order would hold {on_flight + new.seats} seats on flight {flight[0]} of "
                f"{flight[1]} in your unpaid holds, the most allowed on one flight is "
                f"{limits.max_held_seats_per_flight}",
                limit="held_seats_per_flight",
                maximum=limits.max_held_seats_per_flight,
                current=on_flight,
            )


def payment_deadline(
    airline_deadline: dt.datetime,
    created_at: dt.datetime,
    window_s: float,
    slices: Sequence[Slice],
) -> dt.datetime:
    """When a hold must be paid: the earliest of the airline's time limit, `window_s` after
    the order was created, and the first departure (when its airport's zone is known)."""
    deadline = min(airline_deadline, created_at + dt.timedelta(seconds=window_s))
    departs = _departure_utc(slices)
    return deadline if departs is None else min(deadline, departs)


def hold_deadline(
    order: Order, airline_deadline: dt.datetime, window_s: float | None
) -> dt.datetime:
    """When `order`'s hold must be paid: the airline's limit, shortened by the hold window
    (`payment_deadline`); `window_s` None: no hold window, the airline's limit stands."""
    if window_s is None:
        return airline_deadline
    return payment_deadline(airline_deadline, order.created_at, window_s, order.slices)


def held_change(order: Order, hold: Hold, window_s: float | None, reason: str) -> Change:
    """The `pending → held` change for the airline's `hold` of `order`: the same whether the
    order's own request or the reconciler found the hold, so both give it the same deadline
    and total (the airline's fare plus the order's seats)."""
    return Change(
        from_status=("pending",),
        to_status="held",
        reason=reason,
        airline_locator=hold.locator,
        payment_required_by=hold_deadline(order, hold.payment_required_by, window_s),
        total_amount=hold.total_amount + seats_total(order.seats),
        total_currency=hold.total_currency,
    )


def _departure_utc(slices: Sequence[Slice]) -> dt.datetime | None:
    if not slices or not slices[0].segments:
        return None
    first = slices[0].segments[0]
    zone = zone_of(first.origin)
    if zone is None:
        return None
    # Segment times are the airport's local time (naive); the airport's zone makes them UTC.
    return first.departing_at.replace(tzinfo=zone).astimezone(dt.UTC)


@functools.cache
def airport_zones() -> dict[str, str]:
    """Each airport's time zone name; loaded on first use (tens of ms), then kept."""
    return {code: row["tz"] for code, row in airportsdata.load("IATA").items() if row["tz"]}


def zone_of(airport: str) -> ZoneInfo | None:
    """The airport's time zone; None when it is not known."""
    name = airport_zones().get(airport)
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
