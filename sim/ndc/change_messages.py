"""NDC 21.3 journey changes of an order (the sales system's `sim.changes.ChangeDesk`), in 21.3's two
steps, plus the undo 21.3 has no message for.

- Reshop: an `IATA_OrderReshopRQ` whose `UpdateOrder/ReshopOrder/ReshopOrderChoice/ServiceOrder`
  adds offer items for a new journey (`AddOfferItems/FlightRequest`, one `OriginDestCriteria`;
  its `OriginDestID` `OD<n>` names the journey of the order it replaces, from 1; a
  `DeleteOrderItem` may name the order's flight item, and is not needed). The
  `IATA_OrderReshopRS` answers one
  `ReshopResults/ReshopOffers/Offer` per fare: `OfferID` `CHG<n>-<fare id>`, the new journey in
  `DataLists` and `JourneyOverview`, `TotalPrice` the order's total with it. What 21.3 has no
  element for travels in the `AugmentationPoint` (`sf:ChangeOffer` per offer: the order's
  total as booked, the new journey's own fare, its conditions and the seats left).
- Change: an `IATA_OrderChangeRQ` accepting that offer
  (`ChangeOrderChoice/AcceptSelectedQuotedOfferList/SelectedPricedOffer`) with the seller's
  `BookingRef` naming the change: the same reference never changes the order twice. Answered by
  the `IATA_OrderViewRS`.
- Undo: an `IATA_OrderChangeRQ` with no `ChangeOrderChoice` and `AugmentationPoint/sf:UndoChange`
  naming the change's reference: the order as it was before that change (the seller's
  compensation when its own step after the change failed).
"""

from __future__ import annotations

from typing import Any

import msgspec
from lxml import etree

from sim import errors
from sim.airline import SimAirline
from sim.changes import ChangeDesk, ChangeOption
from sim.fares import CONDITIONS, Money, decimal_amount
from sim.ndc import requests
from sim.ndc.responses import EXT, ORDER_STATUS, _DataLists, _price, utc
from sim.ndc.seat_orders import order_view
from sim.ndc.xml import add, document, path, payload, text
from sim.wire import JourneyRequest

CHANGE_OFFER_PREFIX = "CHG"  # OfferID of a change offer: CHG<journey from 1>-<fare id>
_SERVICE_ORDER = "Request/UpdateOrder/ReshopOrder/ReshopOrderChoice/ServiceOrder"
_WANTED = f"{_SERVICE_ORDER}/AddOfferItems/FlightRequest/FlightRequestOriginDestinationsCriteria"
_STOPS = f"{_SERVICE_ORDER}/AddOfferItems/FlightRelatedCriteria/ConnectionCriteria"
_ACCEPTED = "Request/ChangeOrderChoice/AcceptSelectedQuotedOfferList/SelectedPricedOffer"
_UNDO = f"{{{EXT}}}UndoChange"


def wants_reshop(rq: etree._Element) -> bool:
    """An OrderReshopRQ asking how a journey of the order could be flown instead."""
    return rq.find(path(_SERVICE_ORDER)) is not None


def reshop(airline: SimAirline, rq: etree._Element) -> etree._Element:
    locator = requests.required(rq, "Request/OrderRefID")
    criteria = list(rq.iterfind(path(f"{_WANTED}/OriginDestCriteria")))
    if len(criteria) != 1:
        raise errors.bad_request("AddOfferItems: exactly one OriginDestCriteria, the new journey")
    [od] = criteria
    journey = _journey_number(requests.required(od, "OriginDestID"), "OD") - 1
    wanted: dict[str, Any] = {
        "from": text(od, "OriginDepCriteria/IATA_LocationCode"),
        "to": text(od, "DestArrivalCriteria/IATA_LocationCode"),
        "date": text(od, "OriginDepCriteria/Date"),
    }
    try:
        request = msgspec.convert(wanted, JourneyRequest)
    except msgspec.ValidationError as exc:
        raise errors.bad_request(str(exc)) from exc
    stops = text(rq, f"{_STOPS}/MaximumConnectionQty")
    options = ChangeDesk(airline).reshop(
        locator, journey, request, max_stops=1 if stops is None else _number(stops)
    )
    return _reshop_response(airline, locator, journey, options)


def _reshop_response(
    airline: SimAirline, locator: str, journey: int, options: list[ChangeOption]
) -> etree._Element:
    booking = airline.order(locator)
    root = document("IATA_OrderReshopRS")
    response = add(root, "Response")
    lists = _DataLists(response, booking.cabin, list(booking.passenger_types or ["ADT"]))
    order = add(response, "Order")
    add(order, "OrderID", booking.locator)
    add(order, "OwnerCode", airline.spec.code)
    add(order, "StatusCode", ORDER_STATUS[booking.status])
    offers = add(add(response, "ReshopResults"), "ReshopOffers")
    for option in options:
        quote = option.quote
        offer = add(offers, "Offer")
        journey_id = lists.journey(quote.journeys[0])
        add(add(add(offer, "JourneyOverview"), "JourneyPriceClass"), "PaxJourneyRefID", journey_id)
        add(offer, "OfferExpirationTimeLimitDateTime", utc(quote.key.expires_at))
        add(offer, "OfferID", f"{CHANGE_OFFER_PREFIX}{journey + 1}-{quote.fare_id}")
        add(offer, "OwnerCode", airline.spec.code)
        _price(offer, "TotalPrice", option.new_total)
    lists.close()
    _change_terms(root, journey, options)
    return payload(root)


def _change_terms(root: etree._Element, journey: int, options: list[ChangeOption]) -> None:
    """Per offer, in the AugmentationPoint: the order's total as booked, the new journey's own
    fare, its conditions and seats left (21.3 has no elements for them on a ChangedOffer)."""
    if not options:
        return
    point = add(root, "AugmentationPoint")
    for option in options:
        quote = option.quote
        refundable, changeable = CONDITIONS[quote.key.cabin]
        terms = etree.SubElement(
            point,
            f"{{{EXT}}}ChangeOffer",
            nsmap={"sf": EXT},
            OfferRefID=f"{CHANGE_OFFER_PREFIX}{journey + 1}-{quote.fare_id}",
            SeatsLeft=str(quote.seats_left),
            Refundable=str(refundable).lower(),
            Changeable=str(changeable).lower(),
        )
        _money(terms, "OldTotal", option.old_total)
        _money(terms, "Fare", quote.price)


def _money(parent: etree._Element, tag: str, money: Money) -> None:
    etree.SubElement(
        parent,
        f"{{{EXT}}}{tag}",
        Amount=str(decimal_amount(money.total)),
        Taxes=str(decimal_amount(money.taxes)),
        CurCode=money.currency,
    )


def accepted_change(rq: etree._Element) -> str | None:
    """The change offer an OrderChangeRQ accepts, if that is what it does."""
    offer_id = text(rq, f"{_ACCEPTED}/OfferRefID")
    if offer_id is None or not offer_id.startswith(CHANGE_OFFER_PREFIX):
        return None
    return offer_id


def change(airline: SimAirline, rq: etree._Element, offer_id: str) -> etree._Element:
    locator = requests.order_id(rq)
    number, _, fare_id = offer_id.removeprefix(CHANGE_OFFER_PREFIX).partition("-")
    if not fare_id:
        raise errors.AirlineError(404, "fare_not_found", "OfferRefID: not a change offer of ours")
    reference = requests.required(rq, "Request/BookingRef/BookingID")
    booking = ChangeDesk(airline).change(
        locator, _journey_number(number, "") - 1, fare_id, reference
    )
    return order_view(airline, booking)


def undo_reference(rq: etree._Element) -> str | None:
    """The change an OrderChangeRQ asks to undo (our AugmentationPoint extension)."""
    undo = rq.find(f"{path('AugmentationPoint')}/{_UNDO}")
    return None if undo is None else undo.get("Reference") or None


def undo(airline: SimAirline, rq: etree._Element, reference: str) -> etree._Element:
    return order_view(airline, ChangeDesk(airline).undo(requests.order_id(rq), reference))


def _journey_number(value: str, prefix: str) -> int:
    number = _number(value.removeprefix(prefix))
    if number < 1:
        raise errors.bad_request(f"{value}: journeys are numbered from 1")
    return number


def _number(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise errors.bad_request(f"{value}: not a number") from exc
