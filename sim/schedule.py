"""The daily timetable of every operating carrier, generated deterministically from a seed.

A `Flight` is a timetable line (same local departure time every day); a `LegInstance` is that
flight on one date, with its local and UTC times computed through the airports' time zones, so
overnight flights and date-line crossings land on the right local day.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Mapping

import msgspec

from sim.airports import Airport, distance_km, eastward_share, local_to_utc, utc_to_local
from sim.catalog import CAPACITY, LONG_HAUL_KM, SHORT_HAUL_KM, AirlineSpec, Cabin

CRUISE_KMH = 850.0
JET_STREAM_KMH = 60.0  # tail wind east-bound, head wind west-bound
GROUND_MINUTES = 45.0  # taxi, climb and approach on top of cruise
FIRST_DEPARTURE = 6 * 60  # departures between 06:00 and 23:00 local: never in a DST gap
LAST_DEPARTURE = 23 * 60
MIN_SPACING = 120  # minutes between two departures of the same route
# Leg instances kept by `Schedule.instance`: a year of every flight is ~0.5 M, a search touches
# a few dates; the time-zone arithmetic of building one was a fifth of the sim's CPU per search.
INSTANCES_KEPT = 1 << 15


class Flight(msgspec.Struct, frozen=True):
    carrier: str
    number: str
    origin: str
    destination: str
    departs_minute: int  # local minutes after midnight at the origin
    block_minutes: int
    distance_km: float
    equipment: str

    @property
    def capacity(self) -> Mapping[Cabin, int]:
        return CAPACITY[self.equipment]


class LegInstance(msgspec.Struct, frozen=True):
    flight: Flight
    date: dt.date  # local departure date at the origin
    depart_local: dt.datetime
    arrive_local: dt.datetime
    depart_utc: dt.datetime
    arrive_utc: dt.datetime


def block_minutes(distance: float, eastward: float) -> int:
    """Gate-to-gate minutes for a distance, rounded to 5 as timetables print them."""
    speed = CRUISE_KMH + JET_STREAM_KMH * eastward
    minutes = GROUND_MINUTES + distance / speed * 60
    return max(5, 5 * round(minutes / 5))


def leg_instance(
    flight: Flight, day: dt.date, origin: Airport, destination: Airport
) -> LegInstance:
    """`flight` departing on local `day`: the arrival is computed in UTC, then shown locally."""
    depart_local = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=flight.departs_minute)
    depart_utc = local_to_utc(depart_local, origin.zone)
    arrive_utc = depart_utc + dt.timedelta(minutes=flight.block_minutes)
    return LegInstance(
        flight=flight,
        date=day,
        depart_local=depart_local,
        arrive_local=utc_to_local(arrive_utc, destination.zone),
        depart_utc=depart_utc,
        arrive_utc=arrive_utc,
    )


class Schedule:
    """Every operating carrier's flights, indexed by route and by flight number."""

    def __init__(self, airports: Mapping[str, Airport], flights: list[Flight]) -> None:
        self.airports = airports
        self.flights = tuple(flights)
        self._by_route: dict[tuple[str, str, str], list[Flight]] = defaultdict(list)
        self._by_number: dict[tuple[str, str], Flight] = {}
        self._destinations: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._instances: dict[tuple[Flight, dt.date], LegInstance] = {}
        for f in sorted(flights, key=lambda f: (f.departs_minute, f.number)):
            self._by_route[(f.carrier, f.origin, f.destination)].append(f)
            self._by_number[(f.carrier, f.number)] = f
            self._destinations[(f.carrier, f.origin)].add(f.destination)

    def on_route(self, carrier: str, origin: str, destination: str) -> list[Flight]:
        return self._by_route.get((carrier, origin, destination), [])

    def flight(self, carrier: str, number: str) -> Flight | None:
        return self._by_number.get((carrier, number))

    def serves(self, carrier: str, origin: str, destination: str) -> bool:
        return destination in self._destinations.get((carrier, origin), ())

    def instance(self, flight: Flight, day: dt.date) -> LegInstance:
        """`flight` on local `day` (a pure function of both: built once, then kept)."""
        key = (flight, day)
        found = self._instances.get(key)
        if found is None:
            if len(self._instances) >= INSTANCES_KEPT:
                self._instances.clear()  # a bound, not an eviction policy: rebuilt on demand
            origin, destination = self.airports[flight.origin], self.airports[flight.destination]
            found = self._instances[key] = leg_instance(flight, day, origin, destination)
        return found


def build_schedule(
    seed: int, airlines: tuple[AirlineSpec, ...], airports: Mapping[str, Airport]
) -> Schedule:
    flights: list[Flight] = []
    for spec in airlines:
        number = 100
        for origin, destination in _routes(spec):
            a, b = airports[origin], airports[destination]
            rng = random.Random(f"{seed}:{spec.code}:{origin}:{destination}")
            distance = distance_km(a, b)
            block = block_minutes(distance, eastward_share(a, b))
            for minute in _departures(rng, distance):
                flights.append(
                    Flight(
                        carrier=spec.code,
                        number=str(number),
                        origin=origin,
                        destination=destination,
                        departs_minute=minute,
                        block_minutes=block,
                        distance_km=round(distance, 1),
                        equipment=_equipment(spec, distance),
                    )
                )
                number += 1
    return Schedule(airports, flights)


def _routes(spec: AirlineSpec) -> list[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for hub, destinations in spec.hubs.items():
        for other in destinations:
            if other != hub:
                pairs.update({(hub, other), (other, hub)})
    return sorted(pairs)


def _departures(rng: random.Random, distance: float) -> list[int]:
    """Up to 4 daily departures (fewer on long sectors), at least `MIN_SPACING` apart."""
    most = 4 if distance < SHORT_HAUL_KM else 3 if distance < LONG_HAUL_KM else 2
    count = rng.randint(max(1, most - 2), most)
    chosen: list[int] = []
    while len(chosen) < count:
        minute = 5 * rng.randrange(FIRST_DEPARTURE // 5, LAST_DEPARTURE // 5 + 1)
        if all(abs(minute - c) >= MIN_SPACING for c in chosen):
            chosen.append(minute)
    return sorted(chosen)


def _equipment(spec: AirlineSpec, distance: float) -> str:
    short, medium, long = spec.fleet
    if distance < SHORT_HAUL_KM:
        return short
    return medium if distance < LONG_HAUL_KM else long
