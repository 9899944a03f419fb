"""Bookings made straight on a sim airline (no sockets), for scripts that record its messages."""

from __future__ import annotations

import datetime as dt

from sim import seat_sales, wire
from sim.airline import SimAirline
from sim.bookings import Booking


def family_booking(
    airline: SimAirline, origin: str, destination: str, day: dt.date, *, reference: str
) -> Booking:
    """An adult and a child held on the airline's first quote for the trip, in economy."""
    family = wire.ShoppingRequest(
        journeys=(wire.JourneyRequest(origin, destination, day),),
        travellers=wire.Travellers(ADT=1, CHD=1),
    )
    quote = airline.shop(family)[0]
    passengers = tuple(
        wire.BookingPassenger(ptc, "Ada", "Lovelace", dt.date(2015, 1, 1), "F")
        for ptc in ("ADT", "CHD")
    )
    booking, _ = airline.book(wire.BookingRequest(quote.fare_id, reference, passengers))
    return booking


def free_seats(airline: SimAirline, booking: Booking, *, window: bool = False) -> list[str]:
    """The free seats out of exit rows on the booking's first leg (window seats only, if asked)."""
    leg = seat_sales.booking_seat_maps(airline, booking.locator).legs[0]
    return [
        s.designator
        for s in leg.layout.spots
        if leg.states[s.designator] == "available" and not s.exit_row and (s.window or not window)
    ]
