"""Queries, passengers and offer views shared by the connector tests against the sim airlines."""

from __future__ import annotations

import datetime as dt

from connectors import offer_ids
from connectors.model import CabinClass, FlightQuery, HoldPassenger, Offer, Passengers, SliceQuery


def day(offset: int) -> dt.date:
    """Today (UTC) plus `offset` days: the sims sell from today to today + 361."""
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=offset)


def query(
    *pairs: tuple[str, str, int],
    adults: int = 1,
    passengers: Passengers | None = None,
    cabin: CabinClass = "economy",
    stops: int = 1,
) -> FlightQuery:
    """One slice per (origin, destination, days from today); `passengers` wins over `adults`."""
    return FlightQuery(
        slices=tuple(SliceQuery(o, d, day(offset)) for o, d, offset in pairs),
        passengers=passengers or Passengers(adults=adults),
        cabin_class=cabin,
        max_connections=stops,
    )


LHR_JFK = query(("LHR", "JFK", 30))


def adults(count: int) -> list[HoldPassenger]:
    return [
        HoldPassenger("adult", f"Ada{n}", "Lovelace", dt.date(1990, 1, 1), "f")
        for n in range(count)
    ]


def flights(offer: Offer) -> tuple[tuple[str, ...], ...]:
    """Each slice's flight numbers: what identifies a journey across sellers and re-pricings."""
    return tuple(tuple(s.flight_number for s in sl.segments) for sl in offer.slices)


def supplier_id(offer: Offer) -> str:
    return offer_ids.decode(offer.id)[1]
