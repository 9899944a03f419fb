"""NDC 21.3 answer messages built from the sales system's quotes and bookings.

Offers reference their flights the 21.3 way: each `Offer` names its `PaxJourney`s, each journey
its `PaxSegment`s, each segment a `DatedMarketingSegment` flown as a `DatedOperatingSegment` of
one `DatedOperatingLeg`; all of them live once in `DataLists` however many offers share them.
What 21.3 has no element for travels in the message's `AugmentationPoint` (the standard's
extension point) in the `EXT` namespace: the seats left per offer and the new total of a
PRICE_CHANGED error. The route network is the non-NDC `Skyfare_RouteNetworkRS` document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from lxml import etree

from sim import errors
from sim.airline import Quote
from sim.baggage import allowance
from sim.bookings import Booking
from sim.catalog import AirlineSpec, Cabin
from sim.fares import CONDITIONS, Money, decimal_amount
from sim.journeys import duration_minutes
from sim.ndc.baggage import AllowanceList, associate
from sim.ndc.xml import NS, add, document, payload
from sim.schedule import LegInstance

EXT = "urn:skyfare:ndc:extensions"  # our AugmentationPoint content
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
    "seat_unavailable": "SEAT_UNAVAILABLE",
    "seat_restricted": "SEAT_RESTRICTED",  # DescText "<seat>: <rule>"
    "not_changeable": "NOT_CHANGEABLE",
    "change_not_found": "CHANGE_NOT_FOUND",
}
ORDER_STATUS = {"HELD": "OPENED", "TICKETED": "TICKETED", "CANCELLED": "CANCELLED"}
SELLER_ORG = "SKYFARE"  # BookingEntity/Org/OrgID of the seller's own reference
SELLER_NAME = "Skyfare"
CANCEL_OFFER_PREFIX = "CXL-"  # the OfferID of an order's cancellation quote: prefix + OrderID


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_minutes(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    return f"PT{hours}H{mins}M"


def pax_ids(count: int) -> list[str]:
    return [f"PAX{n}" for n in range(1, count + 1)]


def offer_item_id(fare_id: str) -> str:
    return f"{fare_id[:12]}-1"


class _DataLists:
    """The DataLists of an answer, each leg, segment and journey written once, in 21.3's order."""

    def __init__(self, parent: etree._Element, cabin: Cabin, paxs: Sequence[str]) -> None:
        self._root = add(parent, "DataLists")
        self.bags = AllowanceList()
        self._marketing = etree.Element("_")
        self._legs = etree.Element("_")
        self._operating = etree.Element("_")
        self._journeys_list = etree.Element("_")
        self._paxs = etree.Element("_")
        self._segments_list = etree.Element("_")
        self.pax_ids = pax_ids(len(paxs))
        for pax_id, ptc in zip(self.pax_ids, paxs, strict=True):
            pax = add(self._paxs, "Pax")
            add(pax, "PaxID", pax_id)
            add(pax, "PTC", ptc)
        self._cabin = cabin
        self._journeys: dict[tuple[str, ...], str] = {}
        self._segments: dict[tuple[str, str, dt.date], str] = {}

    def close(self) -> None:
        """Write the lists (in the schema's order), leaving out the empty ones."""
        for tag, holder in (
            ("BaggageAllowanceList", self.bags.holder),
            ("DatedMarketingSegmentList", self._marketing),
            ("DatedOperatingLegList", self._legs),
            ("DatedOperatingSegmentList", self._operating),
            ("PaxJourneyList", self._journeys_list),
            ("PaxList", self._paxs),
            ("PaxSegmentList", self._segments_list),
        ):
            if len(holder):
                add(self._root, tag).extend(list(holder))

    def journey(self, legs: Sequence[LegInstance]) -> str:
        segment_ids = tuple(self.segment(leg) for leg in legs)
        journey_id = self._journeys.get(segment_ids)
        if journey_id is None:
            journey_id = self._journeys[segment_ids] = f"PJ{len(self._journeys) + 1}"
            journey = add(self._journeys_list, "PaxJourney")
            add(journey, "Duration", iso_minutes(duration_minutes(tuple(legs))))
            add(journey, "PaxJourneyID", journey_id)
            for segment_id in segment_ids:
                add(journey, "PaxSegmentRefID", segment_id)
        return journey_id

    def segment(self, leg: LegInstance) -> str:
        flight = leg.flight
        key = (flight.carrier, flight.number, leg.date)
        segment_id = self._segments.get(key)
        if segment_id is None:
            number = len(self._segments) + 1
            segment_id = self._segments[key] = f"SEG{number}"
            points = (
                ("Arrival", flight.destination, leg.arrive_local),
                ("Dep", flight.origin, leg.depart_local),
            )
            marketing = add(self._marketing, "DatedMarketingSegment")
            _points(marketing, points[:1])
            add(marketing, "CarrierDesigCode", flight.carrier)
            add(marketing, "DatedMarketingSegmentId", f"MSEG{number}")
            add(marketing, "DatedOperatingSegmentRefId", f"OSEG{number}")
            _points(marketing, points[1:])
            add(marketing, "MarketingCarrierFlightNumberText", flight.number)
            leg_element = add(self._legs, "DatedOperatingLeg")
            _points(leg_element, points[:1])
            add(leg_element, "DatedOperatingLegID", f"LEG{number}")
            _points(leg_element, points[1:])
            aircraft = add(leg_element, "IATA_AircraftType")
            add(aircraft, "IATA_AircraftTypeCode", flight.equipment)
            operating = add(self._operating, "DatedOperatingSegment")
            add(operating, "CarrierDesigCode", flight.carrier)
            add(operating, "DatedOperatingLegRefID", f"LEG{number}")
            add(operating, "DatedOperatingSegmentId", f"OSEG{number}")
            add(operating, "Duration", iso_minutes(flight.block_minutes))
            add(operating, "OperatingCarrierFlightNumberText", flight.number)
            segment = add(self._segments_list, "PaxSegment")
            cabin = add(add(segment, "CabinTypeAssociationChoice"), "SegmentCabinType")
            add(cabin, "CabinTypeCode", self._cabin)
            add(cabin, "CabinTypeName", CABIN_NAMES[self._cabin])
            add(segment, "DatedMarketingSegmentRefId", f"MSEG{number}")
            add(segment, "PaxSegmentID", segment_id)
        return segment_id


def _points(parent: etree._Element, points: Iterable[tuple[str, str, dt.datetime]]) -> None:
    for tag, airport, moment in points:
        point = add(parent, tag)
        add(point, "AircraftScheduledDateTime", moment.isoformat(timespec="seconds"))
        add(point, "IATA_LocationCode", airport)


def _ptcs(quote: Quote) -> list[str]:
    key = quote.key
    return ["ADT"] * key.adults + ["CHD"] * key.children + ["INF"] * key.infants


def _price(parent: etree._Element, tag: str, money: Money) -> None:
    price = add(parent, tag)
    add(price, "BaseAmount", str(decimal_amount(money.base)), CurCode=money.currency)
    taxes = add(price, "TaxSummary")
    add(taxes, "TotalTaxAmount", str(decimal_amount(money.taxes)), CurCode=money.currency)
    add(price, "TotalAmount", str(decimal_amount(money.total)), CurCode=money.currency)


def _offer(parent: etree._Element, quote: Quote, spec: AirlineSpec, lists: _DataLists) -> None:
    offer = add(parent, "Offer")
    journey_ids = [lists.journey(legs) for legs in quote.journeys]
    cabin = quote.key.cabin
    covered = [
        (lists.segment(leg), lists.bags.ids(allowance(leg.flight.carrier, cabin)))
        for legs in quote.journeys
        for leg in legs
    ]
    associate(offer, covered, lists.pax_ids)
    overview = add(offer, "JourneyOverview")
    for journey_id in journey_ids:
        add(add(overview, "JourneyPriceClass"), "PaxJourneyRefID", journey_id)
    add(offer, "OfferExpirationTimeLimitDateTime", utc(quote.key.expires_at))
    add(offer, "OfferID", quote.fare_id)
    item = add(offer, "OfferItem")
    refundable, changeable = CONDITIONS[quote.key.cabin]
    add(add(item, "CancelRestrictions"), "AllowedModificationInd", str(refundable).lower())
    add(add(item, "ChangeRestrictions"), "AllowedModificationInd", str(changeable).lower())
    detail = add(item, "FareDetail")
    for pax_id in lists.pax_ids:
        add(detail, "PaxRefID", pax_id)
    add(item, "MandatoryInd", "true")
    add(item, "OfferItemID", offer_item_id(quote.fare_id))
    _price(item, "Price", quote.price)
    service = add(item, "Service")
    association = add(add(service, "OfferServiceAssociation"), "PaxJourneyRef")
    for journey_id in journey_ids:
        add(association, "PaxJourneyRefID", journey_id)
    for pax_id in lists.pax_ids:
        add(service, "PaxRefID", pax_id)
    add(service, "ServiceID", "SRV1")
    add(offer, "OwnerCode", spec.code)
    _price(offer, "TotalPrice", quote.price)


def _seats_left(root: etree._Element, quotes: Sequence[Quote]) -> None:
    """The seats left per offer, in the AugmentationPoint (21.3 has no element for them)."""
    point = add(root, "AugmentationPoint")
    seats = etree.SubElement(point, f"{{{EXT}}}SeatsLeft", nsmap={"sf": EXT})
    for quote in quotes:
        etree.SubElement(
            seats, f"{{{EXT}}}Offer", OfferRefID=quote.fare_id, Qty=str(quote.seats_left)
        )


def shopping_response(quotes: Sequence[Quote], spec: AirlineSpec) -> etree._Element:
    root = document("IATA_AirShoppingRS")
    response = add(root, "Response")
    lists = _DataLists(response, quotes[0].key.cabin, _ptcs(quotes[0])) if quotes else None
    carrier_offers = add(add(response, "OffersGroup"), "CarrierOffers")
    if lists is None:
        return payload(root)  # an empty CarrierOffers: nothing for sale
    for quote in quotes:
        _offer(carrier_offers, quote, spec, lists)
    lists.close()
    _seats_left(root, quotes)
    return payload(root)


def offer_price_response(quote: Quote, spec: AirlineSpec, *, changed: bool) -> etree._Element:
    root = document("IATA_OfferPriceRS")
    response = add(root, "Response")
    lists = _DataLists(response, quote.key.cabin, _ptcs(quote))
    offer_parent = etree.Element("_")
    _offer(offer_parent, quote, spec, lists)
    lists.close()
    priced = offer_parent[0]
    priced.tag = f"{{{etree.QName(priced).namespace}}}PricedOffer"
    response.append(priced)
    if changed:
        warning = add(response, "Warning")
        add(warning, "Code", "PRICE_CHANGED")
        add(warning, "DescText", "the offer was re-priced; it has a new OfferID")
        add(warning, "LangCode", "EN")
    _seats_left(root, [quote])
    return payload(root)


def order_response(booking: Booking, spec: AirlineSpec) -> etree._Element:
    """IATA_OrderViewRS (create, retrieve, change, cancel): the order as it is."""
    root = document("IATA_OrderViewRS")
    response = add(root, "Response")
    ids = pax_ids(booking.passengers)
    pax_list = add(add(response, "DataLists"), "PaxList")
    for pax_id in ids:
        add(add(pax_list, "Pax"), "PaxID", pax_id)
    order = add(response, "Order")
    add(order, "OrderID", booking.locator)
    item = add(order, "OrderItem")
    add(item, "OrderItemID", f"{booking.locator}-1")
    add(item, "OwnerCode", spec.code)
    add(item, "PaymentTimeLimitDateTime", utc(booking.pay_by))
    _price(item, "Price", booking.price)
    for number, pax_id in enumerate(ids, start=1):
        service = add(item, "Service")
        _booking_ref(service, booking.locator, carrier=spec.code)
        _booking_ref(service, booking.reference, org=SELLER_ORG)
        add(
            add(add(service, "OrderServiceAssociation"), "PaxSegmentRef"), "PaxSegmentRefID", "SEG1"
        )
        add(service, "PaxRefID", pax_id)
        add(service, "ServiceID", f"SRV{number}")
    add(order, "OwnerCode", spec.code)
    add(order, "StatusCode", ORDER_STATUS[booking.status])
    _price(order, "TotalPrice", booking.price)
    for pax_id, ticket_number in zip(ids, booking.tickets, strict=False):
        info = add(response, "TicketDocInfo")
        add(info, "PaxRefID", pax_id)
        ticket = add(info, "Ticket")
        add(add(ticket, "Coupon"), "CouponNumber", "1")
        add(ticket, "ReportingTypeCode", "Airline")
        add(ticket, "TicketDocTypeCode", "T")
        add(ticket, "TicketNumber", ticket_number)
    return payload(root)


def cancel_quote_response(booking: Booking, spec: AirlineSpec) -> etree._Element:
    """IATA_OrderReshopRS for a cancellation: the offer to accept, refunding what was paid."""
    root = document("IATA_OrderReshopRS")
    response = add(root, "Response")
    order = add(response, "Order")
    add(order, "OrderID", booking.locator)
    add(order, "OwnerCode", spec.code)
    add(order, "StatusCode", ORDER_STATUS[booking.status])
    offer = add(add(response, "ReshopResults"), "ReshopOffers")
    cancel = add(offer, "Offer")
    add(cancel, "OfferID", CANCEL_OFFER_PREFIX + booking.locator)
    add(cancel, "OwnerCode", spec.code)
    refund = booking.price if booking.status == "TICKETED" else Money(booking.price.currency, 0, 0)
    _price(cancel, "TotalPrice", refund)
    return payload(root)


def _booking_ref(
    parent: etree._Element, booking_id: str, *, carrier: str = "", org: str = ""
) -> None:
    ref = add(parent, "BookingRef")
    entity = add(ref, "BookingEntity")
    if carrier:
        add(add(entity, "Carrier"), "AirlineDesigCode", carrier)
    else:
        org_element = add(entity, "Org")
        add(org_element, "Name", SELLER_NAME)
        add(org_element, "OrgID", org)
    add(ref, "BookingID", booking_id)


def error_response(tag: str, error: errors.AirlineError) -> etree._Element:
    """The answer `tag` carrying one `Error` (21.3: in place of the Response)."""
    root = document(tag)
    element = add(root, "Error")
    add(element, "Code", ERROR_CODES.get(error.code, "INVALID_REQUEST"))
    add(element, "DescText", error.message)
    add(element, "LangCode", "EN")
    add(element, "TypeCode", "ERR")
    if error.price is not None:
        point = add(root, "AugmentationPoint")
        amount = etree.SubElement(
            point, f"{{{EXT}}}NewTotalAmount", nsmap={"sf": EXT}, CurCode=error.price.currency
        )
        amount.text = str(decimal_amount(error.price.total))
    return payload(root)


def network_response(spec: AirlineSpec, airports: Iterable[str]) -> etree._Element:
    root = etree.Element(f"{{{NS}}}Skyfare_RouteNetworkRS", nsmap={None: NS})  # type: ignore[dict-item]
    carrier = etree.SubElement(root, f"{{{NS}}}Carrier")
    etree.SubElement(carrier, f"{{{NS}}}AirlineDesigCode").text = spec.code
    etree.SubElement(carrier, f"{{{NS}}}Name").text = spec.name
    listed = etree.SubElement(root, f"{{{NS}}}Airports")
    for code in airports:
        etree.SubElement(listed, f"{{{NS}}}IATA_LocationCode").text = code
    return root
