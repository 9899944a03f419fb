"""NDC 21.3 request messages read into the sales system's own request shapes (sim/wire.py).

The request has passed its schema (sim/ndc/schemas.py) before it gets here; values are gathered
as plain data and validated by `msgspec.convert`, so what the schema allows but the sales system
cannot serve becomes the same `bad_request` the REST front answers.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from lxml import etree

from sim import errors, wire
from sim.ndc.xml import path, text

T = TypeVar("T")
# Cabin codes beyond our four that airlines' requests commonly carry.
_CABINS = {"Y": "Y", "M": "Y", "W": "W", "C": "C", "J": "C", "F": "F"}


def _convert(data: dict[str, Any], kind: type[T]) -> T:
    try:
        return msgspec.convert(data, kind)
    except msgspec.ValidationError as exc:
        raise errors.bad_request(str(exc)) from exc


def shopping_request(rq: etree._Element) -> wire.ShoppingRequest:
    """IATA_AirShoppingRQ: one OriginDestCriteria per journey, the Paxs, cabin, stops, currency.

    A Pax without a PTC is an adult; no PaxList is one adult.
    """
    if rq.find(path("Request/FlightRequest/FlightRequestOriginDestinationsCriteria")) is None:
        raise errors.bad_request("FlightRequest: only FlightRequestOriginDestinationsCriteria")
    criteria = list(
        rq.iterfind(
            path("Request/FlightRequest/FlightRequestOriginDestinationsCriteria/OriginDestCriteria")
        )
    )
    paxs = list(rq.iterfind(path("Request/PaxList/Pax")))
    ptcs = [text(pax, "PTC") or "ADT" for pax in paxs] or ["ADT"]
    unknown = sorted(set(ptcs) - {"ADT", "CHD", "INF"})
    if unknown:
        raise errors.bad_request(f"PTC: {', '.join(unknown)} not sold here (ADT, CHD, INF)")
    cabin = text(criteria[0], "CabinType/CabinTypeCode") if criteria else None
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
        "cabin": _CABINS.get(cabin or "Y", cabin),
        "currency": text(rq, "Request/ResponseParameters/CurParameter/CurCode") or "USD",
    }
    stops = text(rq, "Request/FlightRelatedCriteria/ConnectionCriteria/MaximumConnectionQty")
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
    """IATA_OrderCreateRQ: the accepted offer, the seller's BookingRef (the idempotency key),
    the Paxs with their names."""
    paxs = list(rq.iterfind(path("Request/DataLists/PaxList/Pax")))
    data: dict[str, Any] = {
        "fare_id": required(
            rq, "Request/CreateOrder/AcceptSelectedQuotedOfferList/SelectedPricedOffer/OfferRefID"
        ),
        "reference": text(rq, "Request/BookingRef/BookingID"),
        "passengers": [
            {
                "type": text(pax, "PTC") or "ADT",
                "first_name": text(pax, "Individual/GivenName"),
                "last_name": text(pax, "Individual/Surname"),
                "birth_date": text(pax, "Birthdate") or text(pax, "Individual/Birthdate"),
                "gender": text(pax, "Individual/GenderCode"),
            }
            for pax in paxs
        ],
    }
    _laps(paxs, data["passengers"])
    return _convert(data, wire.BookingRequest)


def _laps(paxs: list[etree._Element], passengers: list[dict[str, Any]]) -> None:
    """An infant's Pax names the adult whose lap it is on by PaxRefID (NDC 21.3's PaxType):
    that adult's `lap_infant` (sim/laps.py checks the pairs)."""
    index_of = {text(pax, "PaxID"): i for i, pax in enumerate(paxs)}
    for infant, pax in enumerate(paxs):
        ref = text(pax, "PaxRefID")
        if ref is None or passengers[infant]["type"] != "INF":
            continue
        holder = index_of.get(ref)
        if holder is None:
            raise errors.bad_request(f"PaxRefID {ref}: no Pax of the order has that PaxID")
        if "lap_infant" in passengers[holder]:
            raise errors.AirlineError(
                422, "invalid_passengers", f"Pax {ref} holds one infant at most"
            )
        passengers[holder]["lap_infant"] = infant


def order_id(rq: etree._Element) -> str:
    """The airline's OrderID (the locator) of an OrderChangeRQ."""
    return required(rq, "Request/Order/OrderID")


def retrieve_key(rq: etree._Element) -> tuple[str, str]:
    """What an IATA_OrderRetrieveRQ filters on: ("reference", the seller's BookingID) or
    ("locator", our OrderID)."""
    criteria = "Request/OrderValidationFilterCriteria"
    locator = text(rq, f"{criteria}/OrderFilterCriteria/OrderID")
    if locator:
        return "locator", locator
    return "reference", required(rq, f"{criteria}/BookingRefFilterCriteria/BookingID")


def wants_tickets(rq: etree._Element) -> bool:
    """An OrderChangeRQ carrying PaymentFunctions pays, which issues the tickets."""
    return rq.find(path("Request/PaymentFunctions/PaymentProcessingDetails")) is not None


def accepted_cancellation(rq: etree._Element) -> str | None:
    """The OfferID of the cancellation an OrderChangeRQ accepts, if that is what it does."""
    return text(rq, "Request/ChangeOrderChoice/AcceptCancelledOffer/OfferID")


def reshop_cancel_order(rq: etree._Element) -> str:
    """The order an IATA_OrderReshopRQ asks to quote the cancellation of."""
    if rq.find(path("Request/UpdateOrder/CancelOrderRef")) is None:
        raise errors.bad_request("OrderReshopRQ: only UpdateOrder/CancelOrderRef is supported")
    return required(rq, "Request/UpdateOrder/CancelOrderRef/OrderRefID")


def _integer(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise errors.bad_request(f"{name}: not a number") from exc
