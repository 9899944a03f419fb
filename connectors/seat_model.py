"""Seat maps as every connector returns them: per flight leg, cabins → rows → sections → places.

The connectors map their airline's wire format into these (pure, tested on recorded samples); the
search service adds the traveler-facing parts (passenger ids, service ids). A leg is named by a
`segment_id` computed from the flight itself, so an offer's segment and its seat map meet without
any stored state.
"""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Literal

import msgspec

from connectors.model import CabinClass, Segment

PlaceType = Literal["seat", "empty", "exit_row", "lavatory", "galley", "bassinet"]
SeatPaxType = Literal["adult", "child"]
PaxType = Literal["adult", "child", "infant"]
SEAT_CHARACTERISTICS = ("window", "aisle", "extra_legroom", "exit_row", "bassinet")


class SeatFacts(msgspec.Struct, frozen=True):
    designator: str
    available: bool
    characteristics: tuple[str, ...]
    prices: dict[SeatPaxType, Decimal]  # per passenger type; infants sit on a lap
    restrictions: tuple[str, ...] = ()  # rules that keep some passengers out (exit_row_child…)


class Place(msgspec.Struct, frozen=True):
    type: PlaceType
    seat: SeatFacts | None = None


class SeatRow(msgspec.Struct, frozen=True):
    number: int | None  # None: a row of facilities (galley, lavatory) without seats
    sections: tuple[tuple[Place, ...], ...]


class CabinMap(msgspec.Struct, frozen=True):
    cabin_class: CabinClass
    aisles: int
    wings: tuple[int, int] | None  # first and last row index over the wings
    rows: tuple[SeatRow, ...]


class LegSeatMap(msgspec.Struct, frozen=True):
    carrier: str
    flight_number: str  # with the carrier's code, as offers show it (BA117)
    origin: str
    destination: str
    departure_date: dt.date  # local at the origin
    aircraft: str
    currency: str
    cabins: tuple[CabinMap, ...]

    @property
    def segment_id(self) -> str:
        return segment_id(self.flight_number, self.origin, self.destination, self.departure_date)


class SeatMaps(msgspec.Struct, frozen=True):
    """Every leg's map, for the passengers in the airline's numbering (index = position)."""

    passengers: tuple[PaxType, ...]
    legs: tuple[LegSeatMap, ...]


class SeatSelection(msgspec.Struct, frozen=True):
    leg: int  # index of the leg in the booking
    passenger: int  # index of the passenger in the booking
    designator: str


def segment_id(flight_number: str, origin: str, destination: str, departure_date: dt.date) -> str:
    """The id of a flight on a date: the same for an offer's segment and its seat map."""
    raw = f"{flight_number}:{origin}{destination}:{departure_date.isoformat()}"
    return "seg_" + base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode("ascii")


def facility_row(facilities: tuple[str, ...], sections: int, *, bassinet: bool) -> SeatRow:
    """A row without seats in front of a cabin: galley left, lavatory right, bassinet between."""
    places: list[tuple[Place, ...]] = []
    for index in range(max(sections, 1)):
        if index == 0 and "galley" in facilities:
            places.append((Place("galley"),))
        elif index == sections - 1 and "lavatory" in facilities:
            places.append((Place("lavatory"),))
        elif bassinet:
            places.append((Place("bassinet"),))
        else:
            places.append((Place("empty"),))
    return SeatRow(None, tuple(places))


def segment_id_of(segment: Segment) -> str:
    return segment_id(
        segment.flight_number, segment.origin, segment.destination, segment.departing_at.date()
    )
