"""The shopping answer (OTA_AirLowFareSearchRS) read with lxml straight into Offers (pure, no I/O).

zeep's typed parse of this answer cost ~0.7 ms per itinerary on the event loop (13.5 ms for 20,
bench/soap_cost.py), so ~20 concurrent searches filled a core. Here each element's children are
read once into a dict (as in connectors/ndc/mapping.py) and only the fields we map are converted,
with zeep's lexical rules for xs:decimal, xs:boolean, xs:dateTime and xs:duration. SOAP faults and
OTA `<Errors>` go through the same translation as zeep's path (`mapping.fault_error`,
`mapping.ota_error`); anything else unreadable is `ConnectorUnavailable`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from lxml import etree

from connectors import errors, offer_ids
from connectors.model import Conditions, Offer, Owner, Passengers, Segment, Slice, iso_duration
from connectors.soap.mapping import CABIN_FROM_OTA, fault_error, ota_error
from kernel.logs import describe

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
OTA = "http://www.opentravel.org/OTA/2003/05"
# No entities, no network, no huge trees: an answer is untrusted input. Comments go, as in zeep.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
)
_BODY, _FAULT = f"{{{SOAP_ENV}}}Body", f"{{{SOAP_ENV}}}Fault"
_ENVELOPE, _RS = f"{{{SOAP_ENV}}}Envelope", f"{{{OTA}}}OTA_AirLowFareSearchRS"
# xs:duration without years or months (zeep's parse of those has no total_seconds either).
_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?")


class Malformed(ValueError):
    """Well-formed XML that is not the OTA_AirLowFareSearchRS we expect."""


def _q(name: str) -> str:
    return f"{{{OTA}}}{name}"


def to_offers(status: int, payload: bytes, *, source: str) -> list[Offer]:
    """The Offers of a LowFareSearch answer; the domain error of its Fault or first OTA Error."""
    kids = _kids(_response(status, payload, airline=source))
    errors_node = kids.get(_q("Errors"))
    if errors_node is not None:
        raise _rejection(errors_node, airline=source)
    itineraries = kids.get(_q("PricedItineraries"))
    if itineraries is None:
        return []
    tag = _q("PricedItinerary")
    try:
        return [_offer(p, source) for p in itineraries if p.tag == tag]
    except (ValueError, ArithmeticError, KeyError, IndexError) as exc:
        raise errors.ConnectorUnavailable(
            f"{source}: unexpected LowFareSearch answer: {describe(exc)}"
        ) from exc


def _response(status: int, payload: bytes, *, airline: str, rs: str = _RS) -> etree._Element:
    """The OTA_AirLowFareSearchRS in the envelope's Body, after zeep's checks in zeep's order:
    XML (no DTD), then a Fault or any status but 200, then the envelope and its body element."""
    malformed = f"{airline}: malformed answer (HTTP {status})"
    try:
        root = etree.fromstring(payload, _PARSER)
    except (etree.LxmlError, ValueError) as exc:
        raise errors.ConnectorUnavailable(f"{malformed}: {exc}") from exc
    if root.getroottree().docinfo.internalDTD is not None:  # zeep's forbid_dtd: any DOCTYPE
        raise errors.ConnectorUnavailable(f"{malformed}: a DTD is forbidden")
    body = _child(root, _BODY)
    fault = None if body is None else _child(body, _FAULT)
    if fault is not None:
        code, message = fault.findtext("faultcode"), fault.findtext("faultstring")
        raise fault_error(code or "", message, airline=airline)
    if status != 200:
        raise fault_error("", f"HTTP {status} without a Fault", airline=airline)
    response = None if body is None or root.tag != _ENVELOPE else _child(body, rs)
    if response is None:
        raise errors.ConnectorUnavailable(f"{malformed}: no {rs} in a SOAP 1.1 Body")
    return response


def _rejection(errors_node: etree._Element, *, airline: str) -> errors.ConnectorError:
    error = _child(errors_node, _q("Error"))
    if error is None:  # zeep's schema requires one: an empty <Errors> is a broken answer
        return errors.ConnectorUnavailable(f"{airline}: malformed answer: <Errors> without Error")
    get = error.get
    return ota_error(get("Type"), get("Code"), get("ShortText"), error.text, airline=airline)


def _child(element: etree._Element, tag: str) -> etree._Element | None:
    for child in element:
        if child.tag == tag:
            return child
    return None


def _kids(element: etree._Element) -> dict[str, etree._Element]:
    """Children by tag, the first of each: one pass instead of a lookup per field."""
    kids: dict[str, etree._Element] = {}
    for child in element:
        kids.setdefault(child.tag, child)  # comments are removed, so every tag is a str
    return kids


def _kid(kids: dict[str, etree._Element], name: str) -> etree._Element:
    found = kids.get(_q(name))
    if found is None:
        raise Malformed(f"{name} missing")
    return found


def _attr(element: etree._Element, name: str) -> str:
    value = element.get(name)
    if value is None:
        raise Malformed(f"{etree.QName(element).localname}@{name} missing")
    return value


def _offer(priced: etree._Element, source: str) -> Offer:
    kids = _kids(priced)
    pricing = _kids(_kid(kids, "AirItineraryPricingInfo"))
    fare = _kids(_kid(pricing, "ItinTotalFare"))
    total = _kid(fare, "TotalFare")
    info_node = _kid(_kids(_kid(pricing, "FareInfos")), "FareInfo")
    info = _kids(info_node)
    rules = _kids(_kid(_kids(_kid(info, "RuleInfo")), "ChargesRules"))
    filing = _kid(info, "FilingAirline")
    options = _kid(_kids(_kid(kids, "AirItinerary")), "OriginDestinationOptions")
    option_tag = _q("OriginDestinationOption")
    return Offer(
        id=offer_ids.encode(source, _kid(info, "FareReference").text or ""),
        total_amount=Decimal(_attr(total, "Amount")),
        total_currency=_attr(total, "CurrencyCode"),
        base_amount=Decimal(_attr(_kid(fare, "BaseFare"), "Amount")),
        tax_amount=Decimal(_attr(_kid(fare, "Taxes"), "Amount")),
        owner=Owner(iata_code=_attr(filing, "Code"), name=filing.text or ""),
        source=source,
        expires_at=_utc(_attr(_kid(kids, "TicketingInfo"), "TicketTimeLimit")),
        seats_remaining=int(_attr(info_node, "SeatsRemaining")),
        conditions=Conditions(
            refundable=_boolean(_attr(_kid(rules, "VoluntaryRefunds"), "VolChangeInd")),
            changeable=_boolean(_attr(_kid(rules, "VoluntaryChanges"), "VolChangeInd")),
        ),
        slices=tuple(_slice(o) for o in options if o.tag == option_tag),
        passengers=_passengers(_kid(pricing, "PTC_FareBreakdowns")),
    )


def _slice(option: etree._Element) -> Slice:
    tag = _q("FlightSegment")
    segments = tuple(_segment(s) for s in option if s.tag == tag)
    if not segments:
        raise Malformed("OriginDestinationOption without FlightSegment")
    return Slice(
        origin=segments[0].origin,
        destination=segments[-1].destination,
        duration=iso_duration(_minutes(_attr(option, "JourneyDuration"))),
        segments=segments,
    )


def _segment(segment: etree._Element) -> Segment:
    kids = _kids(segment)
    carrier = _attr(_kid(kids, "MarketingAirline"), "Code")
    return Segment(
        marketing_carrier=carrier,
        flight_number=f"{carrier}{_attr(segment, 'FlightNumber')}",
        origin=_attr(_kid(kids, "DepartureAirport"), "LocationCode"),
        destination=_attr(_kid(kids, "ArrivalAirport"), "LocationCode"),
        departing_at=_datetime(_attr(segment, "DepartureDateTime")),
        arriving_at=_datetime(_attr(segment, "ArrivalDateTime")),
        aircraft=_attr(_kid(kids, "Equipment"), "AirEquipType"),
        cabin_class=CABIN_FROM_OTA[_attr(segment, "Cabin")],
    )


def _passengers(breakdowns: etree._Element) -> Passengers:
    tag = _q("PTC_FareBreakdown")
    counts: dict[str, int] = {}
    for breakdown in breakdowns:
        if breakdown.tag == tag:
            ptq = _kid(_kids(breakdown), "PassengerTypeQuantity")
            counts[_attr(ptq, "Code")] = int(_attr(ptq, "Quantity"))
    return Passengers(
        adults=counts.get("ADT", 0), children=counts.get("CHD", 0), infants=counts.get("INF", 0)
    )


def _boolean(value: str) -> bool:
    """xs:boolean as zeep reads it: "true" or "1"; anything else is false."""
    return value.strip() in ("true", "1")


def _datetime(value: str) -> dt.datetime:
    """xs:dateTime; a date alone is its midnight, as zeep reads it."""
    return dt.datetime.fromisoformat(value.strip())


def _utc(value: str) -> dt.datetime:
    """OTA time limits are UTC; one without an offset is read as UTC too."""
    moment = _datetime(value)
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _minutes(value: str) -> int:
    """Whole minutes of an xs:duration in days, hours, minutes and seconds."""
    match = _DURATION.fullmatch(value.strip())
    if match is None or value.strip() in ("P", "PT") or value.strip().endswith("T"):
        raise Malformed(f"duration {value!r}")
    days, hours, minutes, seconds = match.groups()
    total = (int(days or 0) * 24 + int(hours or 0)) * 60 + int(minutes or 0)
    return (total * 60 + int(float(seconds or 0))) // 60
