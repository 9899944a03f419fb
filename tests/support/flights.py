"""Queries, passengers and offer views shared by the connector tests against the sim airlines."""

from __future__ import annotations

import datetime as dt

from connectors import offer_ids
from connectors.model import CabinClass, FlightQuery, HoldPassenger, Offer, Passengers, SliceQuery

# Days count from the date the session began, not from each call's: a test asks the same day
# twice (`LHR_JFK`, built at import, then `query(... 30)`), and a run passing midnight UTC gave
# it two days a day apart (a group held on the next day's flight moved no price). The sims sell
# from their today to today + 361, so a day counted from yesterday's date is still on sale.
SESSION_DAY = dt.datetime.now(dt.UTC).date()


def day(offset: int) -> dt.date:
    """The session's first day (UTC) plus `offset` days."""
    return SESSION_DAY + dt.timedelta(days=offset)


def in_days(days: int) -> str:
    """`day(days)` as the API writes it (YYYY-MM-DD)."""
    return day(days).isoformat()


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
