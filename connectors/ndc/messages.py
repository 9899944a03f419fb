"""Pure builders of the NDC request messages Skyfare sends (IATA NDC 21.3 style, no I/O).

Each returns the serialized document ready to POST; `reference` (our order id) travels as a
`BookingRef` of our own organisation, which the airline uses to make OrderCreate idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from connectors.model import CabinClass, FlightQuery, HoldPassenger

NS = "http://www.iata.org/IATA/2015/EASD/00/IATA_OffersAndOrdersMessage"
VERSION = "21.3"
AGENCY_ID = "SKYFARE"  # our OrgID / AgencyID with every airline

CABIN_CODES: dict[CabinClass, str] = {
    "economy": "Y",
    "premium_economy": "W",
    "business": "C",
    "first": "F",
}
_PTC = {"adult": "ADT", "child": "CHD", "infant": "INF"}
_GENDER = {"m": "M", "f": "F", "x": "X"}


def _add(parent: etree._Element, tag: str, value: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if value is not None:
        element.text = value
    return element


def _document(tag: str) -> tuple[etree._Element, etree._Element]:
    """A message root with PayloadAttributes and our Party; returns (root, Request)."""
    root = etree.Element(f"{{{NS}}}{tag}", nsmap={None: NS})  # type: ignore[dict-item]
    _add(_add(root, "PayloadAttributes"), "VersionNumber", VERSION)
    agency = _add(_add(_add(root, "Party"), "Sender"), "TravelAgency")
    _add(agency, "AgencyID", AGENCY_ID)
    return root, _add(root, "Request")


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def air_shopping(query: FlightQuery) -> bytes:
    root, request = _document("IATA_AirShoppingRQ")
    criteria = _add(_add(request, "FlightRequest"), "FlightRequestOriginDestinationsCriteria")
    for number, wanted in enumerate(query.slices, start=1):
        od = _add(criteria, "OriginDestCriteria")
        departure = _add(od, "OriginDepCriteria")
        _add(departure, "Date", wanted.departure_date.isoformat())
        _add(departure, "IATA_LocationCode", wanted.origin)
        _add(_add(od, "DestArrivalCriteria"), "IATA_LocationCode", wanted.destination)
        _add(od, "OriginDestID", f"OD{number}")
    paxs = _add(request, "Paxs")
    pax = query.passengers
    ptcs = ["ADT"] * pax.adults + ["CHD"] * pax.children + ["INF"] * pax.infants
    for number, ptc in enumerate(ptcs, start=1):
        element = _add(paxs, "Pax")
        _add(element, "PaxID", f"PAX{number}")
        _add(element, "PTC", ptc)
    currency = _add(_add(request, "ResponseParameters"), "CurParameter")
    _add(currency, "RequestedCurCode", query.currency)
    criteria_element = _add(request, "ShoppingCriteria")
    connections = _add(criteria_element, "ConnectionPrefCriteria")
    _add(connections, "MaximumConnectionQty", str(query.max_connections))
    cabin = _add(criteria_element, "CabinTypeCriteria")
    _add(cabin, "CabinTypeCode", CABIN_CODES[query.cabin_class])
    return _bytes(root)


def offer_price(offer_id: str, *, owner_code: str) -> bytes:
    root, request = _document("IATA_OfferPriceRQ")
    selected = _add(_add(_add(request, "PricedOffer"), "SelectedOfferList"), "SelectedOffer")
    _add(selected, "OfferRefID", offer_id)
    _add(selected, "OwnerCode", owner_code)
    return _bytes(root)


def order_create(
    offer_id: str, passengers: Sequence[HoldPassenger], *, reference: str, owner_code: str
) -> bytes:
    root, request = _document("IATA_OrderCreateRQ")
    offers = _add(_add(request, "CreateOrder"), "AcceptSelectedQuotedOfferList")
    selected = _add(offers, "SelectedPricedOffer")
    _add(selected, "OfferRefID", offer_id)
    _add(selected, "OwnerCode", owner_code)
    _booking_ref(request, reference)
    pax_list = _add(_add(request, "DataLists"), "PaxList")
    for number, passenger in enumerate(passengers, start=1):
        pax = _add(pax_list, "Pax")
        _add(pax, "PaxID", f"PAX{number}")
        _add(pax, "PTC", _PTC[passenger.type])
        _add(pax, "Birthdate", passenger.born_on.isoformat())
        individual = _add(pax, "Individual")
        _add(individual, "GenderCode", _GENDER[passenger.gender])
        _add(individual, "GivenName", passenger.given_name)
        _add(individual, "Surname", passenger.family_name)
    return _bytes(root)


def order_retrieve(reference: str) -> bytes:
    root, request = _document("IATA_OrderRetrieveRQ")
    _booking_ref(_add(request, "OrderFilterCriteria"), reference)
    return _bytes(root)


def order_change_issue_tickets(locator: str, *, owner_code: str) -> bytes:
    """OrderChangeRQ that pays (settled by the agency, outside the message) and tickets."""
    root, request = _document("IATA_OrderChangeRQ")
    _order(request, locator, owner_code)
    processing = _add(_add(request, "PaymentFunctions"), "PaymentProcessingDetails")
    _add(processing, "TypeCode", "AGT")  # agency settlement: no card data goes to the airline
    return _bytes(root)


def order_cancel(locator: str, *, owner_code: str) -> bytes:
    root, request = _document("IATA_OrderCancelRQ")
    _order(request, locator, owner_code)
    return _bytes(root)


def _order(request: etree._Element, locator: str, owner_code: str) -> None:
    order = _add(request, "Order")
    _add(order, "OrderID", locator)
    _add(order, "OwnerCode", owner_code)


def _booking_ref(parent: etree._Element, reference: str) -> None:
    ref = _add(parent, "BookingRef")
    _add(ref, "BookingID", reference)
    _add(_add(_add(ref, "BookingEntity"), "Org"), "OrgID", AGENCY_ID)
