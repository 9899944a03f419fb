"""Nordic Skyways' journey changes over SOAP: OTA_AirBookModifyRQ → OTA_AirBookModifyRS
(ota.xsd documents the subset), onto the same `ChangeDesk` the REST airlines use."""

from __future__ import annotations

import msgspec
from lxml import etree

from sim import errors
from sim.airline import SimAirline
from sim.changes import ChangeDesk, ChangeOption
from sim.fares import decimal_amount
from sim.soap.messages import pricing_response, q, reservation_response, unique_id
from sim.wire import JourneyRequest

RS = "OTA_AirBookModifyRS"


def book_modify(airline: SimAirline, rq: etree._Element) -> etree._Element:
    desk = ChangeDesk(airline)
    locator = unique_id(rq, "BookingReferenceID")
    journey = _int(rq.get("JourneyRPH", "0"), "JourneyRPH")
    kind = rq.get("ModificationType")
    if kind == "Reshop":
        stops = _int(rq.get("MaxStopsQuantity", "1"), "MaxStopsQuantity")
        options = desk.reshop(locator, journey, _journey(rq), max_stops=stops)
        return _reshop_response(airline, options)
    reference = unique_id(rq, "ChangeReference")
    if kind == "Change":
        fare = rq.find(q("FareReference"))
        if fare is None or not fare.text:
            raise errors.bad_request("FareReference: required to change")
        booking = desk.change(locator, journey, fare.text, reference)
    else:
        booking = desk.undo(locator, reference)
    return reservation_response(RS, booking, airline.spec)


def _reshop_response(airline: SimAirline, options: list[ChangeOption]) -> etree._Element:
    rs = pricing_response(RS, [o.quote for o in options], airline.spec)
    totals = etree.SubElement(rs, q("ReshopTotals"))
    for number, option in enumerate(options, start=1):
        etree.SubElement(
            totals,
            q("ReshopTotal"),
            {
                "SequenceNumber": str(number),
                "OldAmount": str(decimal_amount(option.old_total.total)),
                "NewAmount": str(decimal_amount(option.new_total.total)),
                "TaxDifference": str(
                    decimal_amount(option.new_total.taxes - option.old_total.taxes)
                ),
                "CurrencyCode": option.new_total.currency,
            },
        )
    return rs


def _journey(rq: etree._Element) -> JourneyRequest:
    odi = rq.find(q("OriginDestinationInformation"))
    if odi is None:
        raise errors.bad_request("OriginDestinationInformation: required to reshop")
    origin, destination = odi.find(q("OriginLocation")), odi.find(q("DestinationLocation"))
    day = odi.find(q("DepartureDateTime"))
    data = {
        "from": None if origin is None else origin.get("LocationCode"),
        "to": None if destination is None else destination.get("LocationCode"),
        "date": None if day is None else day.text,
    }
    try:
        return msgspec.convert(data, JourneyRequest)
    except msgspec.ValidationError as exc:
        raise errors.bad_request(f"OriginDestinationInformation: {exc}") from exc


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise errors.bad_request(f"{name}: an integer") from exc
