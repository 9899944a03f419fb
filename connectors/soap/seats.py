"""The SOAP airline's seats (pure): seat maps (OTA_AirSeatMapRS) read with lxml into `SeatMaps`;
seat choices sent as `Skyfare_SelectSeatsRQ` (OTA SeatRequests, the WSDL's SelectSeats) and its
zeep-parsed answer read back into `SeatSelection`s."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lxml import etree

from connectors import errors
from connectors.seat_model import (
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
from connectors.soap.mapping import CABIN_FROM_OTA
from connectors.soap.shopping import _q, _rejection, _response
from kernel.logs import describe

_RS = _q("OTA_AirSeatMapRS")
_PAX: dict[str, PaxType] = {"ADT": "adult", "CHD": "child", "INF": "infant"}
_SEAT_PAX: dict[str, SeatPaxType] = {"ADT": "adult", "CHD": "child"}
FEATURES = {
    "Window": "window",
    "Aisle": "aisle",
    "ExtraLegroom": "extra_legroom",
    "ExitRow": "exit_row",
    "Bassinet": "bassinet",
}


def seat_map_body(*, fare_id: str | None = None, locator: str | None = None) -> dict[str, Any]:
    if fare_id is not None:
        return {"Version": "2.001", "FareReference": fare_id}
    return {"Version": "2.001", "BookingReferenceID": {"ID": locator}}


def select_seats_body(locator: str, selections: Sequence[SeatSelection]) -> dict[str, Any]:
    """The seats to give; OTA's RPHs count the booking's segments and travellers from 1."""
    return {
        "Version": "2.001",
        "BookingReferenceID": {"ID": locator},
        "SeatRequests": {
            "SeatRequest": [
                {
                    "SeatNumber": s.designator,
                    "FlightRefNumberRPHList": str(s.leg + 1),
                    "TravelerRefNumberRPHList": str(s.passenger + 1),
                }
                for s in selections
            ]
        },
    }


def to_selections(rs: Any) -> tuple[SeatSelection, ...]:
    """Every seat the booking holds, from a zeep-parsed `Skyfare_SelectSeatsRS`."""
    held = rs.SeatRequests
    return tuple(
        SeatSelection(
            leg=int(seat.FlightRefNumberRPHList) - 1,
            passenger=int(seat.TravelerRefNumberRPHList) - 1,
            designator=seat.SeatNumber,
        )
        for seat in ([] if held is None else held.SeatRequest or [])
    )


def to_seat_maps(status: int, payload: bytes, *, source: str) -> SeatMaps:
    rs = _response(status, payload, airline=source, rs=_RS)
    errors_node = rs.find(_q("Errors"))
    if errors_node is not None:
        raise _rejection(errors_node, airline=source)
    try:
        passengers = tuple(
            _PAX[p.text or ""] for p in rs.iterfind(f"{_q('Travelers')}/{_q('PassengerTypeCode')}")
        )
        responses = rs.find(_q("SeatMapResponses"))
        if responses is None:
            return SeatMaps(passengers=passengers, legs=())
        currency = responses.get("CurrencyCode", "")
        legs = tuple(_leg(r, currency) for r in responses.iterfind(_q("SeatMapResponse")))
    except (ValueError, ArithmeticError, KeyError, IndexError, AttributeError) as exc:
        raise errors.ConnectorUnavailable(
            f"{source}: unexpected SeatMap answer: {describe(exc)}"
        ) from exc
    return SeatMaps(passengers=passengers, legs=legs)


def _find(node: etree._Element, name: str) -> etree._Element:
    found = node.find(_q(name))
    if found is None:
        raise ValueError(f"{name} missing")
    return found


def _leg(node: etree._Element, currency: str) -> LegSeatMap:
    info = _find(node, "FlightSegmentInfo")
    carrier = _find(info, "MarketingAirline").get("Code", "")
    cabin = _find(_find(node, "SeatMapDetails"), "CabinClass")
    columns = cabin.get("Columns", "").split()
    rows: list[SeatRow] = []
    wing_rows: list[int] = []
    for row in cabin.iterfind(_q("RowInfo")):
        facilities = tuple(f.text or "" for f in row.iterfind(_q("Facility")))
        seats = list(row.iterfind(_q("SeatInfo")))
        if facilities:
            bassinet = any(f.text == "Bassinet" for s in seats for f in s.iterfind(_q("Features")))
            rows.append(facility_row(facilities, len(columns), bassinet=bassinet))
        if row.get("OverWingInd") == "true":
            wing_rows.append(len(rows))
        rows.append(_row(row, seats, columns))
    return LegSeatMap(
        carrier=carrier,
        flight_number=carrier + info.get("FlightNumber", ""),
        origin=_find(info, "DepartureAirport").get("LocationCode", ""),
        destination=_find(info, "ArrivalAirport").get("LocationCode", ""),
        departure_date=dt.date.fromisoformat(info.get("DepartureDate", "")),
        aircraft=_find(info, "Equipment").get("AirEquipType", ""),
        currency=currency,
        cabins=(
            CabinMap(
                cabin_class=CABIN_FROM_OTA[cabin.get("CabinType", "")],
                aisles=max(0, len(columns) - 1),
                wings=(wing_rows[0], wing_rows[-1]) if wing_rows else None,
                rows=tuple(rows),
            ),
        ),
    )


def _row(row: etree._Element, seats: list[etree._Element], columns: list[str]) -> SeatRow:
    by_place = {(int(s.get("SectionNumber", "")), int(s.get("ColumnNumber", ""))): s for s in seats}
    exit_row = row.get("ExitRowInd") == "true"
    sections = []
    for s_index, letters in enumerate(columns):
        places = [
            _seat(by_place[(s_index, c)]) if (s_index, c) in by_place else Place("empty")
            for c in range(len(letters))
        ]
        if exit_row and s_index == 0:
            places.insert(0, Place("exit_row"))
        if exit_row and s_index == len(columns) - 1:
            places.append(Place("exit_row"))
        sections.append(tuple(places))
    return SeatRow(int(row.get("RowNumber", "")), tuple(sections))


def _seat(node: etree._Element) -> Place:
    summary = _find(node, "Summary")
    prices = {
        _SEAT_PAX[fee.get("PassengerTypeCode", "")]: Decimal(fee.get("Amount", ""))
        for fee in node.iterfind(_q("Fee"))
        if fee.get("PassengerTypeCode") in _SEAT_PAX
    }
    return Place(
        "seat",
        SeatFacts(
            designator=summary.get("SeatNumber", ""),
            available=summary.get("AvailableInd") == "true",
            characteristics=tuple(
                FEATURES[f.text] for f in node.iterfind(_q("Features")) if f.text in FEATURES
            ),
            prices=prices,
            restrictions=tuple(r.text or "" for r in node.iterfind(_q("Restriction"))),
        ),
    )
