"""NDC answer messages built from the sales system's quotes and bookings.

Offers reference their flights the NDC way: each `Offer` names its `PaxJourney`s, each journey
its `PaxSegment`s, and both live once in `DataLists` however many offers share them.
Extensions beyond NDC 21.3, kept small: `Offer/RemainingSeatQty`, `FareDetail/FareRule`
(refundable/changeable), `Error/TotalAmount` (the new total of PRICE_CHANGED) and the
`Skyfare_RouteNetworkRS` document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from lxml import etree

from sim import errors
from sim.airline import Quote
from sim.bookings import Booking
from sim.catalog import AirlineSpec, Cabin
from sim.fares import CONDITIONS, Money, decimal_amount
from sim.journeys import duration_minutes
from sim.ndc.xml import add, document
from sim.schedule import LegInstance

CABIN_NAMES: dict[Cabin, str] = {
    "Y": "ECONOMY",
    "W": "PREMIUM ECONOMY",
    "C": "BUSINESS",
    "F": "FIRST",
}
# The sales system's codes as NDC <Error><Code>s.
ERROR_CODES = {
    "fare_not_found": "OFFER_NOT_FOUND",
    "fare_expired": "OFFER_EXPIRED",
    "sold_out": "SOLD_OUT",
    "price_changed": "PRICE_CHANGED",
    "booking_not_found": "ORDER_NOT_FOUND",
    "booking_cancelled": "ORDER_CANCELLED",
    "invalid_passengers": "INVALID_PAX",
    "unsupported_currency": "INVALID_CURRENCY",
    "bad_request": "INVALID_REQUEST",
    "unauthorized": "UNAUTHORIZED",
}
ORDER_STATUS = {"HELD": "OPENED", "TICKETED": "TICKETED", "CANCELLED": "CANCELLED"}
SELLER_ORG = "SKYFARE"  # BookingEntity/Org/OrgID of the seller's own reference


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_minutes(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    return f"PT{hours}H{mins}M"


class _DataLists:
    """PaxList, PaxJourneyList and PaxSegmentList, each journey and segment written once."""

    def __init__(self, parent: etree._Element, cabin: Cabin, paxs: Sequence[str]) -> None:
        self._lists = add(parent, "DataLists")
        self.pax_ids = [f"PAX{n}" for n in range(1, len(paxs) + 1)]
        pax_list = add(self._lists, "PaxList")
        for pax_id, ptc in zip(self.pax_ids, paxs, strict=True):
            pax = add(pax_list, "Pax")
            add(pax, "PaxID", pax_id)
            add(pax, "PTC", ptc)
        self._journey_list = add(self._lists, "PaxJourneyList")
        self._segment_list = add(self._lists, "PaxSegmentList")
        self._cabin = cabin
        self._journeys: dict[tuple[str, ...], str] = {}
        self._segments: dict[tuple[str, str, dt.date], str] = {}

    def journey(self, legs: Sequence[LegInstance]) -> str:
        segment_ids = tuple(self.segment(leg) for leg in legs)
        journey_id = self._journeys.get(segment_ids)
        if journey_id is None:
            journey_id = self._journeys[segment_ids] = f"PJ{len(self._journeys) + 1}"
            journey = add(self._journey_list, "PaxJourney")
            add(journey, "PaxJourneyID", journey_id)
            add(journey, "Duration", iso_minutes(duration_minutes(tuple(legs))))
            for segment_id in segment_ids:
                add(journey, "PaxSegmentRefID", segment_id)
        return journey_id

    def segment(self, leg: LegInstance) -> str:
        flight = leg.flight
        key = (flight.carrier, flight.number, leg.date)
        segment_id = self._segments.get(key)
        if segment_id is None:
            segment_id = self._segments[key] = f"SEG{len(self._segments) + 1}"
            segment = add(self._segment_list, "PaxSegment")
            add(segment, "PaxSegmentID", segment_id)
            for tag, airport, moment in (
                ("Dep", flight.origin, leg.depart_local),
                ("Arrival", flight.destination, leg.arrive_local),
            ):
                point = add(segment, tag)
                add(point, "IATA_LocationCode", airport)
                add(point, "AircraftScheduledDateTime", moment.isoformat(timespec="seconds"))
            carrier = add(segment, "MarketingCarrierInfo")
            add(carrier, "CarrierDesigCode", flight.carrier)
            add(carrier, "MarketingCarrierFlightNumberText", flight.number)
            leg_element = add(segment, "DatedOperatingLeg")
            aircraft = add(leg_element, "IATA_AircraftType")
            add(aircraft, "IATA_AircraftTypeCode", flight.equipment)
            add(segment, "Duration", iso_minutes(flight.block_minutes))
            cabin = add(segment, "CabinType")
            add(cabin, "CabinTypeCode", self._cabin)
            add(cabin, "CabinTypeName", CABIN_NAMES[self._cabin])
        return segment_id


def _ptcs(quote: Quote) -> list[str]:
    key = quote.key
    return ["ADT"] * key.adults + ["CHD"] * key.children + ["INF"] * key.infants


def _price(parent: etree._Element, tag: str, money: Money) -> None:
    price = add(parent, tag)
    add(price, "TotalAmount", str(decimal_amount(money.total)), CurCode=money.currency)
    add(price, "BaseAmount", str(decimal_amount(money.base)), CurCode=money.currency)
    taxes = add(price, "TaxSummary")
    add(taxes, "TotalTaxAmount", str(decimal_amount(money.taxes)), CurCode=money.currency)


def _offer(parent: etree._Element, quote: Quote, spec: AirlineSpec, lists: _DataLists) -> None:
    offer = add(parent, "Offer")
    add(offer, "OfferID", quote.fare_id)
    add(offer, "OwnerCode", spec.code)
    add(offer, "OfferExpirationDateTime", utc(quote.key.expires_at))
    add(offer, "RemainingSeatQty", str(quote.seats_left))
    overview = add(offer, "JourneyOverview")
    for legs in quote.journeys:
        add(add(overview, "JourneyPriceClass"), "PaxJourneyRefID", lists.journey(legs))
    _price(offer, "TotalPrice", quote.price)
    item = add(offer, "OfferItem")
    add(item, "OfferItemID", f"{quote.fare_id[:12]}-1")
    add(item, "MandatoryInd", "true")
    _price(item, "Price", quote.price)
    detail = add(item, "FareDetail")
    for pax_id in lists.pax_ids:
        add(detail, "PaxRefID", pax_id)
    refundable, changeable = CONDITIONS[quote.key.cabin]
    rule = add(detail, "FareRule")
    add(rule, "RefundableInd", str(refundable).lower())
    add(rule, "ChangeableInd", str(changeable).lower())


def shopping_response(quotes: Sequence[Quote], spec: AirlineSpec) -> etree._Element:
    root = document("IATA_AirShoppingRS")
    response = add(root, "Response")
    if not quotes:
        return root  # no OffersGroup: nothing for sale
    lists = _DataLists(response, quotes[0].key.cabin, _ptcs(quotes[0]))
    carrier_offers = add(add(response, "OffersGroup"), "CarrierOffers")
    for quote in quotes:
        _offer(carrier_offers, quote, spec, lists)
    return root


def offer_price_response(quote: Quote, spec: AirlineSpec, *, changed: bool) -> etree._Element:
    root = document("IATA_OfferPriceRS")
    response = add(root, "Response")
    lists = _DataLists(response, quote.key.cabin, _ptcs(quote))
    _offer(add(response, "PricedOffer"), quote, spec, lists)
    if changed:
        warning = add(add(root, "Warnings"), "Warning")
        add(warning, "Code", "PRICE_CHANGED")
        add(warning, "DescText", "the offer was re-priced; it has a new OfferID")
    return root


def order_response(tag: str, booking: Booking, spec: AirlineSpec) -> etree._Element:
    """IATA_OrderViewRS (create, retrieve, change) or IATA_OrderCancelRS: the order as it is."""
    root = document(tag)
    response = add(root, "Response")
    order = add(response, "Order")
    add(order, "OrderID", booking.locator)
    add(order, "OwnerCode", spec.code)
    add(order, "StatusCode", ORDER_STATUS[booking.status])
    _booking_ref(order, booking.locator, carrier=spec.code)
    _booking_ref(order, booking.reference, org=SELLER_ORG)
    add(order, "PaymentTimeLimitDateTime", utc(booking.pay_by))
    _price(order, "TotalPrice", booking.price)
    if booking.tickets:
        info = add(response, "TicketDocInfo")
        for number in booking.tickets:
            document_element = add(info, "TicketDocument")
            add(document_element, "TicketDocNbr", number)
            add(document_element, "TicketDocTypeCode", "T")
    return root


def _booking_ref(
    parent: etree._Element, booking_id: str, *, carrier: str = "", org: str = ""
) -> None:
    ref = add(parent, "BookingRef")
    add(ref, "BookingID", booking_id)
    entity = add(ref, "BookingEntity")
    if carrier:
        add(add(entity, "Carrier"), "AirlineDesigCode", carrier)
    else:
        add(add(entity, "Org"), "OrgID", org)


def error_response(tag: str, error: errors.AirlineError) -> etree._Element:
    root = document(tag)
    element = add(add(root, "Errors"), "Error")
    add(element, "Code", ERROR_CODES.get(error.code, "INVALID_REQUEST"))
    add(element, "DescText", error.message)
    if error.price is not None:
        add(
            element,
            "TotalAmount",
            str(decimal_amount(error.price.total)),
            CurCode=error.price.currency,
        )
    return root


def network_response(spec: AirlineSpec, airports: Iterable[str]) -> etree._Element:
    root = document("Skyfare_RouteNetworkRS")
    carrier = add(root, "Carrier")
    add(carrier, "AirlineDesigCode", spec.code)
    add(carrier, "Name", spec.name)
    listed = add(root, "Airports")
    for code in airports:
        add(listed, "IATA_LocationCode", code)
    return root
