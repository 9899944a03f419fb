"""Bookings of one seller: holds that take seats, tickets that keep them, cancels that return them.

A hold not ticketed by `pay_by` expires: checked lazily whenever the booking is read and by a
periodic sweep (`expire_due`), so its seats come back even if nobody asks about it again.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from sim.catalog import Cabin
from sim.fares import Money
from sim.inventory import Inventory, leg_key
from sim.schedule import Flight

Status = Literal["HELD", "TICKETED", "CANCELLED"]
_LOCATOR_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/O/0/1: read over the phone


@dataclass
class Booking:
    locator: str
    reference: str
    price: Money
    pay_by: dt.datetime
    legs: tuple[tuple[Flight, dt.date], ...]
    cabin: Cabin
    seats: int  # seated travellers: infants hold no seat
    passengers: int
    ticket_prefix: str
    status: Status = "HELD"
    passenger_types: tuple[str, ...] = ()  # ADT / CHD / INF, as the booking request listed them
    laps: tuple[tuple[int, int], ...] = ()  # (adult, infant on their lap), passenger indexes
    tickets: tuple[str, ...] = ()
    # How many of `legs` each journey flies, and each journey's price (their sum is `price`):
    # a change replaces one journey (sim/changes.py). Empty: one journey, priced as a whole.
    journey_legs: tuple[int, ...] = ()
    journey_prices: tuple[Money, ...] = ()
    changes: dict[str, Any] = field(default_factory=dict)  # reference → sim.changes.Swap


@dataclass
class TicketStock:
    """Ticket numbers per airline prefix, shared by every seller that issues on that stock."""

    issued: dict[str, int] = field(default_factory=dict)

    def issue(self, prefix: str, count: int) -> tuple[str, ...]:
        first = self.issued.get(prefix, 0) + 1
        self.issued[prefix] = first + count - 1
        return tuple(f"{prefix}-{2300000000 + n}" for n in range(first, first + count))


class BookingDesk:
    """One seller's bookings; every method runs without awaiting, so each change is atomic."""

    def __init__(self, inventory: Inventory, stock: TicketStock):
        self._inventory = inventory
        self._stock = stock
        self._by_locator: dict[str, Booking] = {}
        self._by_reference: dict[str, Booking] = {}
        self._held: dict[str, Booking] = {}

    def by_reference(self, reference: str, now: dt.datetime) -> Booking | None:
        booking = self._by_reference.get(reference)
        if booking is not None:
            self._expire_if_due(booking, now)
        return booking

    def by_locator(self, locator: str, now: dt.datetime) -> Booking | None:
        booking = self._by_locator.get(locator.upper())
        if booking is not None:
            self._expire_if_due(booking, now)
        return booking

    def hold(self, booking_for: BookingDraft) -> Booking | None:
        """Take the seats and record the booking; None when a leg has too few seats left."""
        if not self._inventory.take(booking_for.legs, booking_for.cabin, booking_for.seats):
            return None
        booking = Booking(locator=self._new_locator(), **booking_for.__dict__)
        self._by_locator[booking.locator] = booking
        self._by_reference[booking.reference] = booking
        self._held[booking.locator] = booking
        return booking

    def ticket(self, booking: Booking) -> None:
        if booking.status == "HELD":
            booking.tickets = self._stock.issue(booking.ticket_prefix, booking.passengers)
            booking.status = "TICKETED"
            self._held.pop(booking.locator, None)

    def reissue(self, booking: Booking) -> None:
        """New ticket numbers for a ticketed booking whose flights changed (an exchange)."""
        if booking.status == "TICKETED":
            booking.tickets = self._stock.issue(booking.ticket_prefix, booking.passengers)

    def cancel(self, booking: Booking) -> None:
        if booking.status != "CANCELLED":
            self._inventory.give_back(booking.legs, booking.cabin, booking.seats)
            keys = [leg_key(f, d, booking.cabin) for f, d in booking.legs]
            self._inventory.ledger.release(booking.reference, keys)
            booking.status = "CANCELLED"
            self._held.pop(booking.locator, None)

    def expire_due(self, now: dt.datetime) -> int:
        """Cancel every hold past its `pay_by`; returns how many expired."""
        due = [b for b in self._held.values() if b.pay_by <= now]
        for booking in due:
            self.cancel(booking)
        return len(due)

    def __iter__(self) -> Iterator[Booking]:
        return iter(self._by_locator.values())

    def _expire_if_due(self, booking: Booking, now: dt.datetime) -> None:
        if booking.status == "HELD" and booking.pay_by <= now:
            self.cancel(booking)

    def _new_locator(self) -> str:
        # Random, not drawn from the seed (as the gateway's ids, sim/payments/ledger.py): every
        # sim opened with one seed issued the same locators, and the tests' sims share one
        # database, so a hold left by an earlier test, falling due, had the later test's hold
        # sweeper cancel that locator at the later sim: a booking of the later test. A real
        # airline never issues a live locator twice.
        while True:
            locator = "".join(secrets.choice(_LOCATOR_ALPHABET) for _ in range(6))
            if locator not in self._by_locator:
                return locator


@dataclass(frozen=True)
class BookingDraft:
    """A booking before it has a locator: what `BookingDesk.hold` records."""

    reference: str
    price: Money
    pay_by: dt.datetime
    legs: tuple[tuple[Flight, dt.date], ...]
    cabin: Cabin
    seats: int
    passengers: int
    ticket_prefix: str
    passenger_types: tuple[str, ...] = ()
    laps: tuple[tuple[int, int], ...] = ()
    journey_legs: tuple[int, ...] = ()
    journey_prices: tuple[Money, ...] = ()
