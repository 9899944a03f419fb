"""What the load scenarios ask for: a realistic mix of trips, bulk queries and calendars.

Pure functions of a `random.Random` and today's date (no locust, no network), so the mix can be
unit-tested and every locust user draws from its own seeded generator.

- Routes: a few popular city pairs (Zipf-weighted: the first is asked most) take most searches;
  the long tail is every other pair the sim airlines fly, each asked rarely.
- Trips: one-way, return, multi-city; mostly one adult in economy; popular routes mostly in the
  next month (so they repeat and the fare cache serves them), the long tail up to half a year.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from sim.catalog import operators

TripKind = Literal["one-way", "return", "multi-city"]
Route = tuple[str, str]

POPULAR: tuple[Route, ...] = (
    ("LHR", "JFK"),
    ("JFK", "LHR"),
    ("LHR", "CDG"),
    ("FRA", "JFK"),
    ("LHR", "DXB"),
    ("LHR", "FRA"),
    ("JFK", "CDG"),
    ("LHR", "SFO"),
    ("MUC", "JFK"),
    ("CPH", "LHR"),
)
POPULAR_SHARE = 0.7
POPULAR_DAYS = 30  # popular routes: departures within a month
TAIL_DAYS = 180
TRIP_KINDS: tuple[tuple[TripKind, float], ...] = (
    ("one-way", 0.5),
    ("return", 0.4),
    ("multi-city", 0.1),
)
PARTIES: tuple[tuple[tuple[int, int, int], float], ...] = (
    ((1, 0, 0), 0.7),
    ((2, 0, 0), 0.2),
    ((2, 1, 0), 0.08),
    ((1, 0, 1), 0.02),
)
GIVEN_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Karen")
CABINS: tuple[tuple[str, float], ...] = (
    ("economy", 0.85),
    ("premium_economy", 0.05),
    ("business", 0.09),
    ("first", 0.01),
)


@dataclass(frozen=True)
class Trip:
    kind: TripKind
    slices: tuple[tuple[str, str, dt.date], ...]  # (origin, destination, departure date)
    adults: int
    children: int
    infants: int
    cabin_class: str


@cache
def long_tail() -> tuple[Route, ...]:
    """Every pair the sim airlines fly (both directions), less the popular ones."""
    pairs = set()
    for spec in operators():
        for hub, destinations in spec.hubs.items():
            for other in destinations:
                pairs.update({(hub, other), (other, hub)})
    return tuple(sorted(pairs - set(POPULAR)))


def _weighted(rng: random.Random, choices: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def pick_route(rng: random.Random) -> tuple[Route, bool]:
    """A route, and whether it is a popular one."""
    if rng.random() < POPULAR_SHARE:
        weights = [1 / rank for rank in range(1, len(POPULAR) + 1)]
        return rng.choices(POPULAR, weights=weights)[0], True
    return rng.choice(long_tail()), False


def plan_trip(rng: random.Random, today: dt.date) -> Trip:
    (origin, destination), popular = pick_route(rng)
    kind: TripKind = _weighted(rng, TRIP_KINDS)
    first = today + dt.timedelta(days=rng.randint(1, POPULAR_DAYS if popular else TAIL_DAYS))
    back = first + dt.timedelta(days=rng.choice((3, 5, 7, 10, 14)))
    slices: tuple[tuple[str, str, dt.date], ...] = ((origin, destination, first),)
    if kind == "return":
        slices += ((destination, origin, back),)
    elif kind == "multi-city":
        onward = [d for o, d in (*POPULAR, *long_tail()) if o == destination and d != origin]
        third = rng.choice(onward) if onward else origin
        slices += ((destination, third, back),)
    adults, children, infants = _weighted(rng, PARTIES)
    return Trip(kind, slices, adults, children, infants, _weighted(rng, CABINS))


def search_body(trip: Trip) -> dict[str, Any]:
    """`POST /v1/search` for the trip."""
    return {
        "slices": [
            {"origin": o, "destination": d, "departure_date": day.isoformat()}
            for o, d, day in trip.slices
        ],
        "passengers": {"adults": trip.adults, "children": trip.children, "infants": trip.infants},
        "cabin_class": trip.cabin_class,
    }


def search_query(trip: Trip) -> dict[str, str]:
    """`GET /v1/search` parameters of a one-way or return trip (ValueError for multi-city)."""
    if trip.kind == "multi-city":
        raise ValueError("a multi-city search has no GET form")
    origin, destination, day = trip.slices[0]
    query = {"origin": origin, "destination": destination, "departure_date": day.isoformat()}
    if trip.kind == "return":
        query["return_date"] = trip.slices[1][2].isoformat()
    if (trip.adults, trip.children, trip.infants) != (1, 0, 0):
        query.update(
            adults=str(trip.adults), children=str(trip.children), infants=str(trip.infants)
        )
    if trip.cabin_class != "economy":
        query["cabin_class"] = trip.cabin_class
    return query


def passengers(adults: int, children: int, infants: int, today: dt.date) -> list[dict[str, str]]:
    """`POST /v1/orders` passengers for a party (ages that fit each type)."""
    party = [("adult", 35)] * adults + [("child", 8)] * children + [("infant", 1)] * infants
    return [
        {
            "type": kind,
            "given_name": GIVEN_NAMES[index % len(GIVEN_NAMES)],
            "family_name": "Bench-Traveler",
            "born_on": today.replace(year=today.year - age, day=1).isoformat(),
            "gender": "x",
            "email": f"bench.{index}@example.com",
            "phone_number": "+442071838750",
        }
        for index, (kind, age) in enumerate(party)
    ]


def bulk_queries(rng: random.Random, today: dt.date, count: int) -> list[dict[str, Any]]:
    """`POST /v1/fares/bulk` queries a partner refreshes: popular routes, the next month."""
    return [
        {
            "origin": origin,
            "destination": destination,
            "departure_date": (today + dt.timedelta(days=rng.randint(1, POPULAR_DAYS))).isoformat(),
        }
        for origin, destination in rng.choices(POPULAR, k=count)
    ]


def calendar_query(rng: random.Random, today: dt.date) -> dict[str, str]:
    """`GET /v1/fares/calendar` for a popular route, this month or the next."""
    origin, destination = rng.choice(POPULAR)
    month = today if rng.random() < 0.5 else (today.replace(day=1) + dt.timedelta(days=32))
    return {"origin": origin, "destination": destination, "month": month.strftime("%Y-%m")}
