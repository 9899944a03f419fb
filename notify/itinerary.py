"""The booking's flights and passengers in words, for the mails that confirm or resend it.

Flight times are the airports' own, as airlines print them and boarding passes show them: a
departure at the origin's local time, an arrival at the destination's, each with its date (an
overnight flight lands on another day). Events written before they carried the flights and
passengers (`flights` / `passengers` None) say nothing of them.
"""

from __future__ import annotations

import datetime as dt

from notify.wire import WireFlight, WireOrder, WirePassenger

_SMS_FLIGHTS = 3  # an SMS names this many flights at most; the mail lists them all


def itinerary_paragraphs(order: WireOrder) -> tuple[str, ...]:
    """The mail's paragraphs listing the flights and the passengers (none for older events)."""
    found: list[str] = []
    if order.flights:
        listed = "\n".join(_flight(f) for f in order.flights)
        found.append(f"Your flights (times are local at each airport):\n{listed}")
    if order.passengers:
        listed = "\n".join(f"  {_passenger(p)}" for p in order.passengers)
        found.append(f"Passengers:\n{listed}")
    return tuple(found)


def sms_flights(order: WireOrder) -> str:
    """`BA117 LHR-JFK 20 Dec 08:25` for each flight (the first few), or "" when not known."""
    if not order.flights:
        return ""
    named = [
        f"{f.flight_number} {f.origin}-{f.destination} {f.departing_at:%d %b %H:%M}"
        for f in order.flights[:_SMS_FLIGHTS]
    ]
    more = len(order.flights) - _SMS_FLIGHTS
    if more > 0:
        named.append(f"+{more} more")
    return ", ".join(named)


def _flight(flight: WireFlight) -> str:
    return (
        f"  {flight.flight_number}  {flight.origin} → {flight.destination}\n"
        f"    departs {_local(flight.departing_at, flight.origin)}\n"
        f"    arrives {_local(flight.arriving_at, flight.destination)}"
    )


def _local(moment: dt.datetime, airport: str) -> str:
    """`Sun 20 Dec 2026, 08:25 local time at LHR`: a segment's naive time is the airport's.
    The day as `kernel.dates.day_words` writes one, in the same one formatting call."""
    return f"{moment:%a %d %b %Y, %H:%M} local time at {airport}"


def _passenger(passenger: WirePassenger) -> str:
    name = f"{passenger.given_name} {passenger.family_name}".strip()
    return name if passenger.type == "adult" else f"{name} ({passenger.type})"
