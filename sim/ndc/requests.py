"""NDC request messages read into the sales system's own request shapes (sim/wire.py).

Values are gathered as plain data and validated by `msgspec.convert`, so a missing or malformed
field becomes the same `bad_request` the REST front answers.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from lxml import etree

from sim import errors, wire
from sim.ndc.xml import path, text, texts

T = TypeVar("T")


def _convert(data: dict[str, Any], kind: type[T]) -> T:
    try:
        return msgspec.convert(data, kind)
    except msgspec.ValidationError as exc:
        raise errors.bad_request(str(exc)) from exc


def shopping_request(rq: etree._Element) -> wire.ShoppingRequest:
    """IATA_AirShoppingRQ: one OriginDestCriteria per journey, the Paxs, cabin, stops, currency."""
    criteria = rq.iterfind(
        path("Request/FlightRequest/FlightRequestOriginDestinationsCriteria/OriginDestCriteria")
    )
    ptcs = texts(rq, "Request/Paxs/Pax/PTC")
    data: dict[str, Any] = {
        "journeys": [
            {
                "from": text(od, "OriginDepCriteria/IATA_LocationCode"),
                "to": text(od, "DestArrivalCriteria/IATA_LocationCode"),
                "date": text(od, "OriginDepCriteria/Date"),
            }
            for od in criteria
        ],
        "travellers": {ptc: ptcs.count(ptc) for ptc in ("ADT", "CHD", "INF")},
        "cabin": text(rq, "Request/ShoppingCriteria/CabinTypeCriteria/CabinTypeCode") or "Y",
        "currency": text(rq, "Request/ResponseParameters/CurParameter/RequestedCurCode") or "USD",
    }
    stops = text(rq, "Request/ShoppingCriteria/ConnectionPrefCriteria/MaximumConnectionQty")
    if stops is not None:
        data["max_stops"] = _integer(stops, "MaximumConnectionQty")
    return _convert(data, wire.ShoppingRequest)


def required(rq: etree._Element, steps: str) -> str:
    """The text at `steps`; `bad_request` without one."""
    value = text(rq, steps)
    if not value:
        raise errors.bad_request(f"{steps}: required")
    return value


def priced_offer_ref(rq: etree._Element) -> str:
    """The offer an IATA_OfferPriceRQ asks to re-price."""
    return required(rq, "Request/PricedOffer/SelectedOfferList/SelectedOffer/OfferRefID")


def booking_request(rq: etree._Element) -> wire.BookingRequest:
    """IATA_OrderCreateRQ: the accepted offer, our BookingRef (the idempotency key), the Paxs."""
    paxs = rq.iterfind(path("Request/DataLists/PaxList/Pax"))
    data: dict[str, Any] = {
        "fare_id": required(
            rq, "Request/CreateOrder/AcceptSelectedQuotedOfferList/SelectedPricedOffer/OfferRefID"
        ),
        "reference": text(rq, "Request/BookingRef/BookingID"),
        "passengers": [
            {
                "type": text(pax, "PTC"),
                "first_name": text(pax, "Individual/GivenName"),
                "last_name": text(pax, "Individual/Surname"),
                "birth_date": text(pax, "Birthdate"),
                "gender": text(pax, "Individual/GenderCode"),
            }
            for pax in paxs
        ],
    }
    return _convert(data, wire.BookingRequest)


def order_id(rq: etree._Element) -> str:
    """The airline's OrderID (the locator) of OrderChangeRQ and OrderCancelRQ."""
    return required(rq, "Request/Order/OrderID")


def retrieve_reference(rq: etree._Element) -> str:
    """The seller's BookingRef an IATA_OrderRetrieveRQ filters on."""
    return required(rq, "Request/OrderFilterCriteria/BookingRef/BookingID")


def wants_tickets(rq: etree._Element) -> bool:
    """An OrderChangeRQ carrying PaymentFunctions asks to pay and issue the tickets."""
    return rq.find(path("Request/PaymentFunctions")) is not None


def _integer(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise errors.bad_request(f"{name}: not a number") from exc
