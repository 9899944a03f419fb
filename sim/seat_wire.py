"""The REST airline's seat map documents (REST_API.md "Seat maps"), built from `SeatMaps`.

`POST /seatmaps {"fare_id"}` or `GET /bookings/{locator}/seatmaps` answer one map per leg:
rows of sections of places; a place is a seat (`state`, `features`, `prices` per passenger type,
`restrictions`: the rules that keep some passengers out) or empty (a short row). A row may
carry `facilities` in front of it (galley, lavatory).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from sim.fares import decimal_amount
from sim.seat_sales import SeatChoice, SeatMaps
from sim.seatmap import EXIT_ROW_CHILD, EXIT_ROW_INFANT, LegSeats, seat_price_cents


class Place(msgspec.Struct, frozen=True, omit_defaults=True):
    seat: str | None = None  # None: no seat at this place
    state: str = ""
    features: tuple[str, ...] = ()
    prices: dict[str, Decimal] = {}
    restrictions: tuple[str, ...] = ()


class SeatRow(msgspec.Struct, frozen=True, omit_defaults=True):
    number: int
    sections: tuple[tuple[Place, ...], ...]
    exit: bool = False
    wing: bool = False
    facilities: tuple[str, ...] = ()


class LegMap(msgspec.Struct, frozen=True):
    carrier: str
    number: str
    origin: str = msgspec.field(name="from")
    destination: str = msgspec.field(name="to")
    date: dt.date
    cabin: str
    equipment: str
    rows: tuple[SeatRow, ...]


class SeatMapsResponse(msgspec.Struct, frozen=True):
    currency: str
    passengers: tuple[str, ...]
    seatmaps: tuple[LegMap, ...]


class SeatRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    leg: int
    passenger: int
    seat: str


class SeatsRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    seats: tuple[SeatRequest, ...]


class SeatMapsRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    fare_id: str


class SeatsResponse(msgspec.Struct, frozen=True):
    locator: str
    seats: tuple[SeatRequest, ...]


def features(
    spot_window: bool, spot_aisle: bool, legroom: bool, exit_row: bool, bassinet: bool
) -> tuple[str, ...]:
    names = ("window", "aisle", "extra_legroom", "exit_row", "bassinet")
    flags = (spot_window, spot_aisle, legroom, exit_row, bassinet)
    return tuple(n for n, on in zip(names, flags, strict=True) if on)


def leg_map(seats: LegSeats, currency: str, paying: tuple[str, ...]) -> LegMap:
    rows = []
    for row in seats.layout.rows:
        sections = []
        for section in row.sections:
            places = []
            for spot in section:
                if spot is None:
                    places.append(Place())
                    continue
                state = seats.states[spot.designator]
                if spot.designator in seats.mine:
                    state = "available"  # the asking booking's own seat: it may keep it
                places.append(
                    Place(
                        seat=spot.designator,
                        state=state,
                        features=features(
                            spot.window,
                            spot.aisle,
                            spot.extra_legroom,
                            spot.exit_row,
                            spot.bassinet,
                        ),
                        prices={
                            pax: decimal_amount(seat_price_cents(spot, seats.cabin, pax, currency))  # type: ignore[arg-type]
                            for pax in paying
                        },
                        restrictions=(EXIT_ROW_CHILD, EXIT_ROW_INFANT) if spot.exit_row else (),
                    )
                )
            sections.append(tuple(places))
        rows.append(
            SeatRow(
                number=row.number,
                sections=tuple(sections),
                exit=row.exit_row,
                wing=row.wing,
                facilities=row.facilities,
            )
        )
    flight = seats.flight
    return LegMap(
        carrier=flight.carrier,
        number=flight.number,
        origin=flight.origin,
        destination=flight.destination,
        date=seats.day,
        cabin=seats.cabin,
        equipment=flight.equipment,
        rows=tuple(rows),
    )


def seat_maps_response(maps: SeatMaps) -> SeatMapsResponse:
    paying = tuple(sorted({p for p in maps.passengers if p != "INF"}))
    return SeatMapsResponse(
        currency=maps.currency,
        passengers=maps.passengers,
        seatmaps=tuple(leg_map(leg, maps.currency, paying) for leg in maps.legs),
    )


def seats_response(locator: str, seats: tuple[SeatChoice, ...]) -> SeatsResponse:
    return SeatsResponse(
        locator=locator,
        seats=tuple(SeatRequest(s.leg, s.passenger, s.designator) for s in seats),
    )
