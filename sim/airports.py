"""Real airports (airportsdata, IATA) and the geometry and clock arithmetic the schedule needs."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from functools import cache
from zoneinfo import ZoneInfo

import airportsdata
import msgspec

EARTH_RADIUS_KM = 6371.0


class Airport(msgspec.Struct, frozen=True):
    code: str
    name: str
    city: str
    country: str
    lat: float
    lon: float
    zone: ZoneInfo


class UnknownAirport(KeyError):
    """An airport code the airportsdata IATA table does not know."""


def load_airports(codes: Iterable[str]) -> dict[str, Airport]:
    """The airports of `codes` (the first call reads airportsdata: about 60 ms, at start-up)."""
    table = _iata_table()
    out: dict[str, Airport] = {}
    for code in sorted(set(codes)):
        row = table.get(code)
        if row is None:
            raise UnknownAirport(code)
        out[code] = Airport(
            code=code,
            name=row["name"],
            city=row["city"],
            country=row["country"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            zone=ZoneInfo(row["tz"]),
        )
    return out


@cache
def _iata_table() -> dict[str, airportsdata.Airport]:
    return airportsdata.load("IATA")


def distance_km(a: Airport, b: Airport) -> float:
    """Great-circle distance (haversine)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def eastward_share(a: Airport, b: Airport) -> float:
    """How much of the initial great-circle heading points east (-1 due west .. 1 due east).

    The jet stream blows west to east, so this is what makes eastbound flights shorter.
    """
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlon = math.radians(b.lon - a.lon)
    y = math.sin(dlon) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(dlon)
    return math.sin(math.atan2(y, x))


def local_to_utc(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A naive wall-clock time at an airport as an aware UTC datetime."""
    return local.replace(tzinfo=zone).astimezone(dt.UTC)


def utc_to_local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """An aware instant as the naive wall-clock time an airport's departure board shows."""
    return moment.astimezone(zone).replace(tzinfo=None)
