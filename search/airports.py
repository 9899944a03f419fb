"""Airport type-ahead: the airports whose code, city or name match what a traveler typed.

Pure over the airportsdata IATA table (the same one searches validate against). The table has no
traffic figures; what it has that says "a major city" is IATA's list of metropolitan areas, the
cities served by several airports under one city code (LON, NYC, PAR, TYO: airportsdata's
`iata_macs.csv`, 41 of them). The order is:

1. the airport whose code is the text ("jfk");
2. the airports of the metropolitan area whose code is the text ("lon": London's five, "nyc");
3. airports whose city, or whose metropolitan area's name, starts with the text ("toronto":
   Pearson, in Mississauga, too), then those with a word of the name starting with it.

Within 2 and 3: the metropolitan area's own airports first, then other airports of a city that
is one (London Biggin Hill), then the rest; among an area's airports its busiest first where a
published passenger count names it (search/metro_primary.py: Heathrow before London City, Haneda
before Narita, O'Hare before Midway); among equals the shortest city names, international
airports (by name) before others, then by name. So "lon" offers London, England before London,
Ontario and Londrina, and "kennedy" New York's JFK before Ashland's John F. Kennedy Memorial.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

import airportsdata
import msgspec

from kernel.errors import FieldError, ValidationFailed
from kernel.query import ascii_int, query_params
from search.metro_primary import PRIMARIES

QUERY_MAX = 50
LIMIT_MAX = 20
LIMIT_DEFAULT = 10


class Airport(msgspec.Struct, frozen=True):
    code: str
    name: str
    city: str
    country: str  # ISO 3166-1 alpha-2


class AirportsResponse(msgspec.Struct, frozen=True):
    airports: tuple[Airport, ...]


class _Entry(msgspec.Struct, frozen=True):
    airport: Airport
    city: str  # folded
    words: tuple[str, ...]  # folded words of the name
    international: bool
    metro: int  # 0: a metropolitan area's airport, 1: another in such a city, 2: neither
    primary: bool  # its metropolitan area's busiest (search/metro_primary.py)


def fold(text: str) -> str:
    """Lower case without accents, so "sao" finds São Paulo and "zurich" Zürich."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


class _Metros(msgspec.Struct, frozen=True):
    airports: dict[str, tuple[str, ...]]  # metropolitan area code (folded) -> its airport codes
    by_name: tuple[tuple[str, frozenset[str]], ...]  # (folded area name, its airport codes)
    members: frozenset[str]  # every metropolitan area's airport codes
    cities: frozenset[tuple[str, str]]  # (folded city name, country) of each area


@functools.cache
def _metros() -> _Metros:
    macs = airportsdata.load_iata_macs()
    return _Metros(
        airports={code.casefold(): tuple(sorted(mac["airports"])) for code, mac in macs.items()},
        by_name=tuple((fold(mac["name"]), frozenset(mac["airports"])) for mac in macs.values()),
        members=frozenset(code for mac in macs.values() for code in mac["airports"]),
        cities=frozenset((fold(mac["name"]), mac["country"]) for mac in macs.values()),
    )


@functools.cache
def _entries() -> tuple[_Entry, ...]:
    metros = _metros()
    primaries = frozenset(p.airport for p in PRIMARIES)
    entries = []
    for code, row in airportsdata.load("IATA").items():
        airport = Airport(code=code, name=row["name"], city=row["city"], country=row["country"])
        name, city = fold(row["name"]), fold(row["city"])
        if code in metros.members:
            metro = 0
        elif (city, row["country"]) in metros.cities:
            metro = 1
        else:
            metro = 2
        entries.append(
            _Entry(
                airport=airport,
                city=city,
                words=tuple(name.replace("-", " ").split()),
                international="international" in name,
                metro=metro,
                primary=code in primaries,
            )
        )
    # The order within each kind of match (module docstring): major cities' airports first.
    return tuple(
        sorted(
            entries,
            key=lambda e: (
                e.metro,
                not e.primary,
                len(e.city),
                not e.international,
                e.airport.name,
            ),
        )
    )


def match_airports(query: str, limit: int) -> tuple[Airport, ...]:
    """At most `limit` airports matching `query`: its code, a metropolitan area's code, a city
    prefix, or a name word's prefix, in that order (module docstring)."""
    q = fold(query)
    if not q:
        return ()
    metros = _metros()
    in_metro = metros.airports.get(q, ())
    # A metropolitan area named by the text: its airports match as its city's do (Pearson's
    # city is Mississauga, Istanbul Airport's "Arnavutköy, Istanbul").
    named = frozenset().union(*(codes for name, codes in metros.by_name if name.startswith(q)))
    exact, by_metro, by_city, by_name = [], [], [], []
    for entry in _entries():
        if entry.airport.code.casefold() == q:
            exact.append(entry.airport)
        elif entry.airport.code in in_metro:
            by_metro.append(entry.airport)
        elif entry.city.startswith(q) or entry.airport.code in named:
            by_city.append(entry.airport)
        elif any(word.startswith(q) for word in entry.words):
            by_name.append(entry.airport)
    return tuple([*exact, *by_metro, *by_city, *by_name][:limit])


def parse_airport_query(params: Iterable[tuple[str, str]]) -> tuple[str, int]:
    """`q` and `limit` of `GET /v1/airports`; `ValidationFailed` naming every bad parameter."""
    query, errors = query_params(params, ("q", "limit"))
    q = query.get("q", "")
    if not q:
        errors.append(FieldError("query.q", "required: 1 to 50 characters"))
    elif len(q) > QUERY_MAX or not q.isprintable():
        errors.append(FieldError("query.q", "must be 1 to 50 printable characters"))
    limit = LIMIT_DEFAULT
    if "limit" in query:
        parsed = ascii_int(query["limit"])
        if parsed is None or not 1 <= parsed <= LIMIT_MAX:
            errors.append(FieldError("query.limit", f"must be an integer from 1 to {LIMIT_MAX}"))
        else:
            limit = parsed
    if errors:
        raise ValidationFailed(errors)
    return q, limit
