"""OTA 2003/05 messages of the sim's SOAP airline: requests read into the airline's own request
types, quotes and bookings written as OTA responses (lxml; the XSD in `ota.xsd` describes them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from lxml import etree

from sim import errors, wire
from sim.airline import Quote
from sim.bookings import Booking
from sim.catalog import AirlineSpec, Cabin
from sim.fares import CONDITIONS, Money, decimal_amount
from sim.journeys import duration_minutes
from sim.schedule import LegInstance

OTA = "http://www.opentravel.org/OTA/2003/05"
VERSION = "2.001"
CABIN_TO_OTA: dict[Cabin, str] = {
    "Y": "Economy",
    "W": "PremiumEconomy",
    "C": "Business",
    "F": "First",
}
CABIN_FROM_OTA = {v: k for k, v in CABIN_TO_OTA.items()}
STATUS_TO_OTA = {"HELD": "Held", "TICKETED": "Ticketed", "CANCELLED": "Cancelled"}
GENDER_FROM_OTA = {"Male": "M", "Female": "F", "Unknown": "X"}
# The airline's refusals as OTA Errors: (EWT type: 3 business rule, 10 bad request; code).
ERROR_CODES: dict[str, tuple[str, str]] = {
    "fare_not_found": ("3", "FNF"),
    "fare_expired": ("3", "FXP"),
    "sold_out": ("3", "SOL"),
    "price_changed": ("3", "PCH"),
    "booking_not_found": ("3", "BNF"),
    "booking_cancelled": ("3", "BCX"),
    "unsupported_currency": ("3", "CUR"),
    "invalid_passengers": ("10", "IPX"),
    "bad_request": ("10", "BRQ"),
    "seat_unavailable": ("3", "SNA"),
    "seat_restricted": ("3", "SRS"),  # ShortText "<seat>: <rule>"
    "not_changeable": ("3", "NCH"),
    "change_not_found": ("3", "CNF"),
    "invalid_fare": ("10", "IFR"),
}
PRICE_CHANGED = ("3", "PCH")


def q(name: str) -> str:
    return f"{{{OTA}}}{name}"


def _find(node: etree._Element, path: str) -> etree._Element:
    found = node.find("/".join(q(p) for p in path.split("/")))
    if found is None:
        raise errors.bad_request(f"{path}: required")
    return found


def _attr(node: etree._Element, path: str, name: str) -> str:
    value = _find(node, path).get(name) if path else node.get(name)
    if value is None:
        raise errors.bad_request(f"{path}@{name}: required")
    return value


def _convert(data: dict[str, Any], type_: type[Any]) -> Any:
    try:
        return msgspec.convert(data, type_)
    except msgspec.ValidationError as exc:
        raise errors.bad_request(str(exc)) from exc


def shopping_request(rq: etree._Element) -> wire.ShoppingRequest:
    pax = {"ADT": 0, "CHD": 0, "INF": 0}
    for ptq in rq.iterfind(
        f"{q('TravelerInfoSummary')}/{q('AirTravelerAvail')}/{q('PassengerTypeQuantity')}"
    ):
        pax[ptq.get("Code", "")] = int(ptq.get("Quantity", "0"))
    data = {
        "journeys": [
            {
                "from": _attr(odi, "OriginLocation", "LocationCode"),
                "to": _attr(odi, "DestinationLocation", "LocationCode"),
                "date": _find(odi, "DepartureDateTime").text,
            }
            for odi in rq.iterfind(q("OriginDestinationInformation"))
        ],
        "travellers": pax,
        "cabin": CABIN_FROM_OTA.get(_attr(rq, "TravelPreferences/CabinPref", "Cabin"), "?"),
        "max_stops": int(_attr(rq, "TravelPreferences", "MaxStopsQuantity")),
        "currency": _attr(rq, "TravelerInfoSummary/PriceRequestInformation", "CurrencyCode"),
    }
    result: wire.ShoppingRequest = _convert(data, wire.ShoppingRequest)
    return result


def fare_reference(rq: etree._Element, container: str) -> str:
    return _find(rq, f"{container}/FareReference").text or ""


def booking_request(rq: etree._Element) -> wire.BookingRequest:
    travellers = [
        {
            "type": t.get("PassengerTypeCode"),
            "first_name": _find(t, "PersonName/GivenName").text or "",
            "last_name": _find(t, "PersonName/Surname").text or "",
            "birth_date": t.get("BirthDate"),
            "gender": GENDER_FROM_OTA.get(t.get("Gender", ""), "?"),
        }
        for t in rq.iterfind(f"{q('TravelerInfo')}/{q('AirTraveler')}")
    ]
    _laps(rq, travellers)
    data = {
        "fare_id": fare_reference(rq, "PriceInfo"),
        "reference": _attr(rq, "BookingReferenceID", "ID"),
        "passengers": travellers,
    }
    result: wire.BookingRequest = _convert(data, wire.BookingRequest)
    return result


def _laps(rq: etree._Element, travellers: list[dict[str, Any]]) -> None:
    """An infant's TravelerRefNumber RPH names the adult on whose lap it flies (ota.xsd): that
    adult's `lap_infant` (sim/laps.py checks the pairs)."""
    for index, t in enumerate(rq.iterfind(f"{q('TravelerInfo')}/{q('AirTraveler')}")):
        ref = t.find(q("TravelerRefNumber"))
        if ref is None or t.get("PassengerTypeCode") != "INF":
            continue
        rph = ref.get("RPH", "")
        holder = int(rph) - 1 if rph.isdigit() else -1
        if not 0 <= holder < len(travellers):
            raise errors.bad_request(f"TravelerRefNumber@RPH {rph!r}: no such traveller")
        if "lap_infant" in travellers[holder]:
            raise errors.AirlineError(
                422, "invalid_passengers", f"traveller {rph} holds one infant at most"
            )
        travellers[holder]["lap_infant"] = index


def unique_id(rq: etree._Element, path: str) -> str:
    return _attr(rq, path, "ID")


def response(name: str) -> etree._Element:
    return etree.Element(q(name), {"Version": VERSION}, nsmap={None: OTA})  # type: ignore[dict-item]


def _sub(parent: etree._Element, name: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, q(name), attrs)


def error_response(name: str, exc: errors.AirlineError) -> etree._Element:
    rs = response(name)
    type_, code = ERROR_CODES.get(exc.code, ("1", "UNK"))
    node = _sub(_sub(rs, "Errors"), "Error", Type=type_, Code=code, ShortText=exc.message)
    if exc.price is not None:  # price_changed: the new total, "<amount> <currency>"
        node.text = f"{decimal_amount(exc.price.total)} {exc.price.currency}"
    return rs


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fare(parent: etree._Element, name: str, money: Money, divisor: int = 1) -> None:
    node = _sub(parent, name)
    cur = money.currency
    _sub(node, "BaseFare", Amount=str(decimal_amount(money.base // divisor)), CurrencyCode=cur)
    taxes = str(decimal_amount(money.taxes // divisor))
    _sub(node, "Taxes", Amount=taxes, CurrencyCode=cur)
    _sub(node, "TotalFare", Amount=str(decimal_amount(money.total // divisor)), CurrencyCode=cur)


def _option(parent: etree._Element, legs: tuple[LegInstance, ...], cabin: Cabin) -> None:
    minutes = duration_minutes(legs)
    option = _sub(
        parent, "OriginDestinationOption", JourneyDuration=f"PT{minutes // 60}H{minutes % 60}M"
    )
    for leg in legs:
        f = leg.flight
        segment = _sub(
            option,
            "FlightSegment",
            DepartureDateTime=leg.depart_local.isoformat(),
            ArrivalDateTime=leg.arrive_local.isoformat(),
            FlightNumber=f.number,
            ResBookDesigCode=cabin,
            Cabin=CABIN_TO_OTA[cabin],
        )
        _sub(segment, "DepartureAirport", LocationCode=f.origin)
        _sub(segment, "ArrivalAirport", LocationCode=f.destination)
        _sub(segment, "MarketingAirline", Code=f.carrier)
        _sub(segment, "Equipment", AirEquipType=f.equipment)


def priced_itinerary(parent: etree._Element, quote: Quote, number: int, spec: AirlineSpec) -> None:
    key = quote.key
    itinerary = _sub(parent, "PricedItinerary", SequenceNumber=str(number))
    options = _sub(_sub(itinerary, "AirItinerary"), "OriginDestinationOptions")
    for legs in quote.journeys:
        _option(options, legs, key.cabin)
    pricing = _sub(itinerary, "AirItineraryPricingInfo", PricingSource="Published")
    _fare(pricing, "ItinTotalFare", quote.price)
    counts = {"ADT": key.adults, "CHD": key.children, "INF": key.infants}
    single_type = sum(1 for n in counts.values() if n) == 1
    breakdowns = _sub(pricing, "PTC_FareBreakdowns")
    for code, count in counts.items():
        if not count:
            continue
        breakdown = _sub(breakdowns, "PTC_FareBreakdown")
        _sub(breakdown, "PassengerTypeQuantity", Code=code, Quantity=str(count))
        bases = _sub(breakdown, "FareBasisCodes")
        for _ in quote.journeys:
            _sub(bases, "FareBasisCode").text = f"{key.cabin}LOW{spec.code}"
        if single_type:  # mixed types: the airline quotes only the total
            _fare(breakdown, "PassengerFare", quote.price, count)
    info = _sub(_sub(pricing, "FareInfos"), "FareInfo", SeatsRemaining=str(quote.seats_left))
    _sub(info, "FareReference").text = quote.fare_id
    _sub(info, "FilingAirline", Code=spec.code).text = spec.name
    refundable, changeable = CONDITIONS[key.cabin]
    rules = _sub(_sub(info, "RuleInfo"), "ChargesRules")
    _sub(rules, "VoluntaryChanges", VolChangeInd=str(changeable).lower())
    _sub(rules, "VoluntaryRefunds", VolChangeInd=str(refundable).lower())
    _sub(itinerary, "TicketingInfo", TicketTimeLimit=utc(key.expires_at))


def pricing_response(
    name: str, quotes: list[Quote], spec: AirlineSpec, *, changed: bool = False
) -> etree._Element:
    rs = response(name)
    _sub(rs, "Success")
    if changed:
        _sub(
            _sub(rs, "Warnings"),
            "Warning",
            Type="3",
            Code=PRICE_CHANGED[1],
            ShortText="price changed",
        )
    itineraries = _sub(rs, "PricedItineraries")
    for number, quote in enumerate(quotes, start=1):
        priced_itinerary(itineraries, quote, number, spec)
    return rs


def reservation_response(name: str, booking: Booking, spec: AirlineSpec) -> etree._Element:
    rs = response(name)
    _sub(rs, "Success")
    reservation = _sub(rs, "AirReservation")
    _sub(reservation, "BookingReferenceID", ID=booking.locator, ID_Context=spec.code, Type="14")
    _sub(reservation, "BookingReferenceID", ID=booking.reference, ID_Context="SKYFARE")
    _fare(_sub(reservation, "PriceInfo"), "ItinTotalFare", booking.price)
    ticketing = _sub(
        reservation,
        "Ticketing",
        TicketTimeLimit=utc(booking.pay_by),
        TicketingStatus=STATUS_TO_OTA[booking.status],
    )
    for number in booking.tickets:
        _sub(ticketing, "TicketDocumentNbr").text = number
    return rs


def network_response(spec: AirlineSpec, airports: tuple[str, ...]) -> etree._Element:
    rs = response("Skyfare_RouteNetworkRS")
    _sub(rs, "Success")
    _sub(rs, "Airline", Code=spec.code).text = spec.name
    listed = _sub(rs, "Airports")
    for code in airports:
        _sub(listed, "Airport", LocationCode=code)
    return rs
