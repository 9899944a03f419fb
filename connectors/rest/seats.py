"""The REST airline's seat map documents and their pure mapping to `connectors.seat_model`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from connectors.rest.mapping import CABIN_FROM_WIRE
from connectors.rest.wire import CabinCode
from connectors.seat_model import (
    SEAT_CHARACTERISTICS,
    CabinMap,
    LegSeatMap,
    PaxType,
    Place,
    SeatFacts,
    SeatMaps,
    SeatPaxType,
    SeatRow,
    SeatSelection,
    facility_row,
)

_PAX: dict[str, PaxType] = {"ADT": "adult", "CHD": "child", "INF": "infant"}
_SEAT_PAX: dict[str, SeatPaxType] = {"ADT": "adult", "CHD": "child"}


class WirePlace(msgspec.Struct, frozen=True):
    seat: str | None = None
    state: str = ""
    features: tuple[str, ...] = ()
    prices: dict[str, Decimal] = {}
    restrictions: tuple[str, ...] = ()


class WireRow(msgspec.Struct, frozen=True):
    number: int
    sections: tuple[tuple[WirePlace, ...], ...]
    exit: bool = False
    wing: bool = False
    facilities: tuple[str, ...] = ()


class WireLegMap(msgspec.Struct, frozen=True):
    carrier: str
    number: str
    origin: str = msgspec.field(name="from")
    destination: str = msgspec.field(name="to")
    date: dt.date
    cabin: CabinCode
    equipment: str
    rows: tuple[WireRow, ...]


class SeatMapsResponse(msgspec.Struct, frozen=True):
    currency: str
    passengers: tuple[str, ...]
    seatmaps: tuple[WireLegMap, ...]


class WireSeat(msgspec.Struct, frozen=True):
    leg: int
    passenger: int
    seat: str


class SeatsResponse(msgspec.Struct, frozen=True):
    locator: str
    seats: tuple[WireSeat, ...]


def to_seat_maps(answer: SeatMapsResponse) -> SeatMaps:
    return SeatMaps(
        passengers=tuple(_PAX.get(p, "adult") for p in answer.passengers),
        legs=tuple(_leg(leg, answer.currency) for leg in answer.seatmaps),
    )


def to_selections(answer: SeatsResponse) -> tuple[SeatSelection, ...]:
    return tuple(SeatSelection(s.leg, s.passenger, s.seat) for s in answer.seats)


def seats_request(selections: tuple[SeatSelection, ...]) -> dict[str, object]:
    return {
        "seats": [
            {"leg": s.leg, "passenger": s.passenger, "seat": s.designator} for s in selections
        ]
    }


def _leg(leg: WireLegMap, currency: str) -> LegSeatMap:
    rows: list[SeatRow] = []
    wing_rows: list[int] = []
    sections = len(leg.rows[0].sections) if leg.rows else 0
    for row in leg.rows:
        if row.facilities:
            rows.append(facility_row(row.facilities, sections, bassinet=_has_bassinet(row)))
        if row.wing:
            wing_rows.append(len(rows))
        rows.append(SeatRow(row.number, _sections(row)))
    cabin = CabinMap(
        cabin_class=CABIN_FROM_WIRE[leg.cabin],
        aisles=max(0, sections - 1),
        wings=(wing_rows[0], wing_rows[-1]) if wing_rows else None,
        rows=tuple(rows),
    )
    return LegSeatMap(
        carrier=leg.carrier,
        flight_number=f"{leg.carrier}{leg.number}",
        origin=leg.origin,
        destination=leg.destination,
        departure_date=leg.date,
        aircraft=leg.equipment,
        currency=currency,
        cabins=(cabin,),
    )


def _has_bassinet(row: WireRow) -> bool:
    return any("bassinet" in p.features for section in row.sections for p in section)


def _sections(row: WireRow) -> tuple[tuple[Place, ...], ...]:
    out = []
    last = len(row.sections) - 1
    for index, section in enumerate(row.sections):
        places = [_place(p) for p in section]
        if row.exit and index == 0:
            places.insert(0, Place("exit_row"))
        if row.exit and index == last:
            places.append(Place("exit_row"))
        out.append(tuple(places))
    return tuple(out)


def _place(place: WirePlace) -> Place:
    if place.seat is None:
        return Place("empty")
    return Place(
        "seat",
        SeatFacts(
            designator=place.seat,
            available=place.state == "available",
            characteristics=tuple(f for f in place.features if f in SEAT_CHARACTERISTICS),
            prices={_SEAT_PAX[p]: amount for p, amount in place.prices.items() if p in _SEAT_PAX},
            restrictions=place.restrictions,
        ),
    )
