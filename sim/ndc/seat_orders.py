"""NDC 21.3 seat selection of the sim's NDC airline, and the seats an OrderViewRS shows.

A seller picks seats from the `ALaCarteOffer` of an order's `IATA_SeatAvailabilityRS` and
accepts them with an `IATA_OrderChangeRQ`: `ChangeOrderChoice/AcceptSelectedQuotedOfferList/
SelectedPricedOffer` naming that offer, one `SelectedOfferItem` per passenger and segment (the
OfferItem pricing the seat for that passenger, the `PaxRefID`, the segment in
`SelectedALaCarteOfferItem/OfferFlightAssociations/PaxSegmentReferences`, the seat in
`SelectedSeat`). Ids are the SeatAvailabilityRS's: PAX1… in the order's passenger order, SEG1…
in its segment order. The seats are given all or none through the seat desk every protocol
shares (sim/seat_sales.py): a seat someone holds is `SEAT_UNAVAILABLE`, one closed to the
passenger `SEAT_RESTRICTED` ("<seat>: <rule>" in DescText), an item that does not price the seat
for that passenger `INVALID_REQUEST`.

`order_view` is the order's `IATA_OrderViewRS` with one OrderItem per seat held: its `Price`,
and a `Service` associated `SeatOnLeg` (`Seat` with `ColumnID` and `RowNumber`, the
`PaxSegmentRef` it is on); the order's `TotalPrice` is the fare plus its seats.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from sim import errors
from sim.airline import SimAirline
from sim.bookings import Booking
from sim.cabins import Spot
from sim.fares import Money, PaxType
from sim.ndc import requests
from sim.ndc.responses import _DataLists, _price, order_response, pax_ids, utc
from sim.ndc.seat_messages import seat_items, seat_offer_id
from sim.ndc.xml import add, path, text, texts
from sim.seat_sales import SeatChoice, SeatMaps, booking_seat_maps, booking_seats, choose_seats
from sim.seatmap import LegSeats, seat_price_cents

SELECTED = "Request/ChangeOrderChoice/AcceptSelectedQuotedOfferList/SelectedPricedOffer"
_SEGMENT = "SelectedALaCarteOfferItem/OfferFlightAssociations/PaxSegmentReferences/PaxSegmentRefID"


def wants_seats(rq: etree._Element) -> bool:
    """An OrderChangeRQ accepting offer items with a `SelectedSeat` chooses seats."""
    return rq.find(path(f"{SELECTED}/SelectedOfferItem/SelectedSeat")) is not None


def assign_seats(airline: SimAirline, rq: etree._Element) -> etree._Element:
    locator = requests.order_id(rq)
    booking = airline.order(locator)
    maps = booking_seat_maps(airline, locator)
    selected = rq.find(path(SELECTED))
    assert selected is not None  # wants_seats found it
    offer_id = seat_offer_id(airline.spec.code)
    if text(selected, "OfferRefID") != offer_id:
        raise errors.AirlineError(404, "fare_not_found", "OfferRefID: not a seat offer of ours")
    reader = _Reader(maps, offer_id, segment_ids(airline, booking, maps.passengers))
    choices = [reader.choice(node) for node in selected.iterfind(path("SelectedOfferItem"))]
    return order_view(airline, choose_seats(airline, locator, choices))


def segment_ids(airline: SimAirline, booking: Booking, passengers: Sequence[PaxType]) -> list[str]:
    """The PaxSegmentID of each leg of the booking, as its SeatAvailabilityRS numbers them."""
    lists = _DataLists(etree.Element("_"), booking.cabin, passengers)
    return [lists.segment(airline.leg_instance(flight, day)) for flight, day in booking.legs]


class _Reader:
    """One SelectedOfferItem read into a seat choice, its ids checked against the order's."""

    def __init__(self, maps: SeatMaps, offer_id: str, segments: list[str]) -> None:
        self._maps = maps
        self._items = seat_items(maps, offer_id)
        self._paxs = {pax_id: i for i, pax_id in enumerate(pax_ids(len(maps.passengers)))}
        self._legs = {segment_id: i for i, segment_id in enumerate(segments)}

    def choice(self, node: etree._Element) -> SeatChoice:
        pax_refs, segment_refs = texts(node, "PaxRefID"), texts(node, _SEGMENT)
        if len(pax_refs) != 1 or pax_refs[0] not in self._paxs:
            raise errors.bad_request(f"PaxRefID {pax_refs}: one passenger of the order")
        if len(segment_refs) != 1 or segment_refs[0] not in self._legs:
            raise errors.bad_request(f"PaxSegmentRefID {segment_refs}: one segment of the order")
        row, column = text(node, "SelectedSeat/SeatRowNumber"), text(node, "SelectedSeat/ColumnID")
        if not row or not column:
            raise errors.bad_request("SelectedSeat: SeatRowNumber and ColumnID")
        designator = f"{row}{column}".upper()
        leg, pax = self._legs[segment_refs[0]], self._paxs[pax_refs[0]]
        ptc = self._maps.passengers[pax]
        spot = _spots(self._maps.legs[leg]).get(designator)
        if spot is not None and ptc != "INF":  # else the seat desk refuses it, naming why
            cents = seat_price_cents(spot, self._maps.legs[leg].cabin, ptc, self._maps.currency)
            expected = self._items[(ptc, cents)]
            given = text(node, "OfferItemRefID")
            if given != expected:
                raise errors.bad_request(
                    f"OfferItemRefID {given}: seat {designator} for {pax_refs[0]} is {expected}"
                )
        return SeatChoice(leg, pax, designator)


def order_view(airline: SimAirline, booking: Booking) -> etree._Element:
    """The order's IATA_OrderViewRS, with an OrderItem for every seat it holds."""
    root = order_response(booking, airline.spec)
    held = booking_seats(airline, booking)
    if not held:
        return root
    order = root.find(path("Response/Order"))
    assert order is not None  # order_response wrote it
    maps = booking_seat_maps(airline, booking.locator)
    segments = segment_ids(airline, booking, maps.passengers)
    paxs = pax_ids(len(maps.passengers))
    currency = booking.price.currency
    position = 1 + max(i for i, e in enumerate(order) if etree.QName(e).localname == "OrderItem")
    seats_total = Money(currency, 0, 0)
    for number, seat in enumerate(held, start=1):
        leg = maps.legs[seat.leg]
        spot = _spots(leg)[seat.designator]
        cents = seat_price_cents(spot, leg.cabin, maps.passengers[seat.passenger], currency)
        price = Money(currency, cents, 0)
        seats_total += price
        item = add(order, "OrderItem")
        add(item, "OrderItemID", f"{booking.locator}-S{number}")
        add(item, "OwnerCode", airline.spec.code)
        add(item, "PaymentTimeLimitDateTime", utc(booking.pay_by))
        _price(item, "Price", price)
        service = add(item, "Service")
        on_leg = add(add(service, "OrderServiceAssociation"), "SeatOnLeg")
        place = add(on_leg, "Seat")
        add(place, "ColumnID", spot.letter)
        add(place, "RowNumber", str(spot.row))
        association = add(add(on_leg, "SeatAssignmentAssociations"), "PaxSegmentRef")
        add(association, "PaxSegmentRefID", segments[seat.leg])
        add(service, "PaxRefID", paxs[seat.passenger])
        add(service, "ServiceID", f"SRV-S{number}")
        order.insert(position + number - 1, item)
    total = order.find(path("TotalPrice"))
    assert total is not None
    order.remove(total)
    _price(order, "TotalPrice", booking.price + seats_total)  # the last child, as 21.3 orders
    return root


def _spots(leg: LegSeats) -> dict[str, Spot]:
    return {spot.designator: spot for spot in leg.layout.spots}
