"""Seat maps of a fare or a booking, and choosing seats for a booking: one airline's seat desk.

Every protocol front (REST, SOAP, NDC) calls these and renders the answer its own way, so a
seat is priced, restricted and taken the same whichever protocol sold it. Nothing awaits:
a choice is checked and recorded atomically on the event loop (two travellers choosing one seat
at once: the first wins, the second is told the seat is taken).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sim import errors
from sim.airline import SimAirline
from sim.bookings import Booking
from sim.cabins import Spot
from sim.fares import PaxType
from sim.inventory import leg_key
from sim.laps import holders
from sim.seatmap import LegSeats, leg_seats, passenger_types, restriction


@dataclass(frozen=True)
class SeatMaps:
    """The seat map of every leg, for these passengers (infants included: they hold no seat)."""

    legs: tuple[LegSeats, ...]
    passengers: tuple[PaxType, ...]
    currency: str


@dataclass(frozen=True)
class SeatChoice:
    leg: int  # index of the leg in the booking's legs
    passenger: int  # index of the passenger in the booking's passengers
    designator: str


def fare_seat_maps(airline: SimAirline, fare_id: str) -> SeatMaps:
    key, legs = airline.fare_legs(fare_id)
    maps = tuple(leg_seats(airline.inventory, leg.flight, leg.date, key.cabin) for leg in legs)
    return SeatMaps(maps, passenger_types(key.adults, key.children, key.infants), key.currency)


def booking_seat_maps(airline: SimAirline, locator: str) -> SeatMaps:
    booking = airline.booking(locator)
    return SeatMaps(_maps(airline, booking), _types(booking), booking.price.currency)


def choose_seats(airline: SimAirline, locator: str, choices: Sequence[SeatChoice]) -> Booking:
    """Give each passenger the seat they chose (a new choice replaces their old seat), or none.

    409 `seat_unavailable` names a seat someone else holds; 422 `seat_restricted` names the rule
    a passenger would break (an exit row for a child or for the adult the booking recorded
    holding an infant on their lap).
    """
    booking = airline.booking(locator)
    if booking.status == "CANCELLED":
        raise errors.AirlineError(409, "booking_cancelled", "cancelled or expired")
    types = _types(booking)
    carriers = holders(booking.laps)
    maps = _maps(airline, booking)
    wanted: set[tuple[int, str]] = set()
    for choice in choices:
        if not 0 <= choice.leg < len(maps):
            raise errors.bad_request(f"leg {choice.leg}: the booking has {len(maps)} legs")
        if not 0 <= choice.passenger < len(types) or types[choice.passenger] == "INF":
            raise errors.bad_request(f"passenger {choice.passenger}: no seated passenger")
        seats = maps[choice.leg]
        spot = _spot(seats, choice.designator)
        if spot is None:
            raise errors.bad_request(f"{choice.designator}: no such seat in this cabin")
        if (choice.leg, spot.designator) in wanted:
            raise errors.bad_request(f"{spot.designator}: chosen twice")
        wanted.add((choice.leg, spot.designator))
        mine = seats.mine.get(spot.designator)
        if seats.states[spot.designator] != "available" and mine is None:
            raise errors.AirlineError(409, "seat_unavailable", f"{spot.designator} is taken")
        rule = restriction(spot, _pax(types[choice.passenger]), choice.passenger in carriers)
        if rule is not None:
            raise errors.AirlineError(422, "seat_restricted", f"{spot.designator}: {rule}")
    ledger = airline.inventory.ledger
    for choice in choices:
        flight, day = booking.legs[choice.leg]
        key = leg_key(flight, day, booking.cabin)
        ledger.assign(key, choice.designator.upper(), booking.reference, choice.passenger)
    return booking


def booking_seats(airline: SimAirline, booking: Booking) -> tuple[SeatChoice, ...]:
    """The seats a booking holds, leg by leg."""
    ledger = airline.inventory.ledger
    found = []
    for index, (flight, day) in enumerate(booking.legs):
        chosen = ledger.chosen(leg_key(flight, day, booking.cabin))
        for designator, (reference, passenger) in sorted(chosen.items()):
            if reference == booking.reference:
                found.append(SeatChoice(index, passenger, designator))
    return tuple(found)


def _maps(airline: SimAirline, booking: Booking) -> tuple[LegSeats, ...]:
    return tuple(
        leg_seats(airline.inventory, f, d, booking.cabin, reference=booking.reference)
        for f, d in booking.legs
    )


def _types(booking: Booking) -> tuple[PaxType, ...]:
    return tuple(_pax(t) for t in booking.passenger_types)


def _pax(value: str) -> PaxType:
    return "CHD" if value == "CHD" else "INF" if value == "INF" else "ADT"


def _spot(seats: LegSeats, designator: str) -> Spot | None:
    wanted = designator.upper()
    for spot in seats.layout.spots:
        if spot.designator == wanted:
            return spot
    return None
