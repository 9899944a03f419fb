"""The SOAP airline's seats (ota.xsd): `OTA_AirSeatMapRQ` read and `OTA_AirSeatMapRS` written;
`Skyfare_SelectSeatsRQ` (OTA SeatRequests on a booking) read and `Skyfare_SelectSeatsRS` written,
through the same seat desk as every other protocol (sim/seat_sales.py)."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from sim import errors
from sim.airline import SimAirline
from sim.cabins import Spot
from sim.fares import PaxType, decimal_amount
from sim.seat_sales import (
    SeatChoice,
    SeatMaps,
    booking_seat_maps,
    booking_seats,
    choose_seats,
    fare_seat_maps,
)
from sim.seatmap import EXIT_ROW_CHILD, EXIT_ROW_INFANT, LegSeats, seat_price_cents
from sim.soap.messages import CABIN_TO_OTA, q, response, unique_id

FEATURES = (
    ("window", "Window"),
    ("aisle", "Aisle"),
    ("extra_legroom", "ExtraLegroom"),
    ("exit_row", "ExitRow"),
    ("bassinet", "Bassinet"),
)


def seat_map(airline: SimAirline, rq: etree._Element) -> etree._Element:
    fare = rq.find(q("FareReference"))
    booking = rq.find(q("BookingReferenceID"))
    if fare is not None and fare.text:
        maps = fare_seat_maps(airline, fare.text.strip())
    elif booking is not None and booking.get("ID"):
        maps = booking_seat_maps(airline, booking.get("ID", ""))
    else:
        raise errors.bad_request("FareReference or BookingReferenceID: required")
    return seat_map_response(maps)


def select_seats(airline: SimAirline, rq: etree._Element) -> etree._Element:
    """Skyfare_SelectSeatsRQ: the seats asked for (1-based RPHs), given all or none."""
    locator = unique_id(rq, "BookingReferenceID")
    choices = [
        SeatChoice(
            leg=_rph(node, "FlightRefNumberRPHList"),
            passenger=_rph(node, "TravelerRefNumberRPHList"),
            designator=node.get("SeatNumber", ""),
        )
        for node in rq.iterfind(f"{q('SeatRequests')}/{q('SeatRequest')}")
    ]
    if not choices:
        raise errors.bad_request("SeatRequests: at least one SeatRequest")
    booking = choose_seats(airline, locator, choices)
    rs = response("Skyfare_SelectSeatsRS")
    etree.SubElement(rs, q("Success"))
    etree.SubElement(rs, q("BookingReferenceID"), ID=booking.locator)
    held = etree.SubElement(rs, q("SeatRequests"))
    for seat in booking_seats(airline, booking):
        etree.SubElement(
            held,
            q("SeatRequest"),
            SeatNumber=seat.designator,
            FlightRefNumberRPHList=str(seat.leg + 1),
            TravelerRefNumberRPHList=str(seat.passenger + 1),
        )
    return rs


def _rph(node: etree._Element, name: str) -> int:
    value = node.get(name, "")
    if not value.isdigit() or int(value) < 1:
        raise errors.bad_request(f"SeatRequest@{name}: an RPH from 1, not {value[:20]!r}")
    return int(value) - 1


def seat_map_response(maps: SeatMaps) -> etree._Element:
    rs = response("OTA_AirSeatMapRS")
    etree.SubElement(rs, q("Success"))
    travelers = etree.SubElement(rs, q("Travelers"))
    for pax in maps.passengers:
        etree.SubElement(travelers, q("PassengerTypeCode")).text = pax
    responses = etree.SubElement(rs, q("SeatMapResponses"), CurrencyCode=maps.currency)
    paying = sorted({p for p in maps.passengers if p != "INF"})
    for leg in maps.legs:
        _leg(etree.SubElement(responses, q("SeatMapResponse")), leg, maps.currency, paying)
    return rs


def _leg(parent: etree._Element, leg: LegSeats, currency: str, paying: Sequence[PaxType]) -> None:
    flight = leg.flight
    info = etree.SubElement(
        parent,
        q("FlightSegmentInfo"),
        FlightNumber=flight.number,
        DepartureDate=leg.day.isoformat(),
    )
    etree.SubElement(info, q("DepartureAirport"), LocationCode=flight.origin)
    etree.SubElement(info, q("ArrivalAirport"), LocationCode=flight.destination)
    etree.SubElement(info, q("MarketingAirline"), Code=flight.carrier)
    etree.SubElement(info, q("Equipment"), AirEquipType=flight.equipment)
    details = etree.SubElement(parent, q("SeatMapDetails"))
    rows = leg.layout.rows
    sections = len(rows[0].sections) if rows else 0
    columns = " ".join(
        "".join(s.letter for s in section if s is not None) for section in rows[0].sections
    )
    cabin = etree.SubElement(
        details,
        q("CabinClass"),
        CabinType=CABIN_TO_OTA[leg.cabin],
        Sections=str(sections),
        Columns=columns,
    )
    for row in rows:
        node = etree.SubElement(
            cabin,
            q("RowInfo"),
            RowNumber=str(row.number),
            ExitRowInd=_bool(row.exit_row),
            OverWingInd=_bool(row.wing),
        )
        for facility in row.facilities:
            etree.SubElement(node, q("Facility")).text = facility
        for s_index, section in enumerate(row.sections):
            for c_index, spot in enumerate(section):
                if spot is not None:
                    _seat(node, spot, s_index, c_index, leg, currency, paying)


def _seat(
    row: etree._Element,
    spot: Spot,
    section: int,
    column: int,
    leg: LegSeats,
    currency: str,
    paying: Sequence[PaxType],
) -> None:
    state = leg.states[spot.designator]
    if spot.designator in leg.mine:
        state = "available"
    info = etree.SubElement(
        row, q("SeatInfo"), ColumnNumber=str(column), SectionNumber=str(section)
    )
    etree.SubElement(
        info,
        q("Summary"),
        SeatNumber=spot.designator,
        AvailableInd=_bool(state == "available"),
        BlockedInd=_bool(state == "blocked"),
    )
    for name, ota in FEATURES:
        if getattr(spot, name):
            etree.SubElement(info, q("Features")).text = ota
    for pax in paying:
        cents = seat_price_cents(spot, leg.cabin, pax, currency)
        etree.SubElement(info, q("Fee"), PassengerTypeCode=pax, Amount=str(decimal_amount(cents)))
    if spot.exit_row:
        for rule in (EXIT_ROW_CHILD, EXIT_ROW_INFANT):
            etree.SubElement(info, q("Restriction")).text = rule


def _bool(value: bool) -> str:
    return "true" if value else "false"
