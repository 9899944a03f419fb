"""Airport type-ahead: the airports whose code, city or name match what a traveler typed.

Pure over the airportsdata IATA table (the same one searches validate against). The table has no
traffic figures, so the order is a proxy a traveler recognises: the exact code first, then
airports whose city starts with the text, then those with a word of the name starting with it;
within each, the shortest city names first and international airports (by name) before the
rest, so "lon" offers London before Londrina.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

import airportsdata
import msgspec

from kernel.errors import FieldError, ValidationFailed
from kernel.query import ascii_int, query_params

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


def fold(text: str) -> str:
    """Lower case without accents, so "sao" finds São Paulo and "zurich" Zürich."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


@functools.cache
def _entries() -> tuple[_Entry, ...]:
    entries = []
    for code, row in airportsdata.load("IATA").items():
        airport = Airport(code=code, name=row["name"], city=row["city"], country=row["country"])
        name = fold(row["name"])
        entries.append(
            _Entry(
                airport=airport,
                city=fold(row["city"]),
                words=tuple(name.replace("-", " ").split()),
                international="international" in name,
            )
        )
    # Short city names first ("lon": London before Londrina), international ones among them.
    return tuple(sorted(entries, key=lambda e: (len(e.city), not e.international, e.airport.name)))


def match_airports(query: str, limit: int) -> tuple[Airport, ...]:
    """At most `limit` airports matching `query` (code, city prefix, or a name word's prefix)."""
    q = fold(query)
    if not q:
        return ()
    exact, by_city, by_name = [], [], []
    for entry in _entries():
        if entry.airport.code.casefold() == q:
            exact.append(entry.airport)
        elif entry.city.startswith(q):
            by_city.append(entry.airport)
        elif any(word.startswith(q) for word in entry.words):
            by_name.append(entry.airport)
    return tuple([*exact, *by_city, *by_name][:limit])


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
