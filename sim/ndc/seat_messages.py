"""NDC 21.3 SeatAvailability of the sim's NDC airline: `IATA_SeatAvailabilityRQ` read (an
OfferRequest naming a quoted offer, or an OrderRequest naming an order), `IATA_SeatAvailabilityRS`
written: an `ALaCarteOffer` with one OfferItem per seat price and passenger type, the DataLists
(Pax, PaxSegment and what they refer to, the seat ServiceDefinition), and one `SeatMap` per
segment: `CabinCompartment` with its galley/lavatory `CabinComponent`s, `SeatColumn`s (W window,
A aisle, 9 centre) and `SeatRow`s (E exit, K over wing) of `Seat`s. A seat's
`OccupationStatusCode` is F (free), O (occupied) or Z (blocked); its `SeatCharacteristicCode`s
add L (leg space), E (exit), B (bassinet), and the restrictions 1A (not for a passenger with an
infant) and IE (not for a child), as the PADIS seat codes name them; an available seat refers
to the OfferItems that price it.
"""

from __future__ import annotations

from lxml import etree

from sim import errors
from sim.airline import SimAirline
from sim.cabins import Spot
from sim.fares import PaxType, decimal_amount
from sim.ndc.responses import _DataLists
from sim.ndc.xml import add, document, payload, text
from sim.seat_sales import SeatMaps, booking_seat_maps, fare_seat_maps
from sim.seatmap import LegSeats, seat_price_cents

SERVICE_DEFINITION = "SD-SEAT"
STATUS = {"available": "F", "occupied": "O", "blocked": "Z"}
NOT_FOR_INFANT, NOT_FOR_CHILD = "1A", "IE"


def seat_availability(airline: SimAirline, rq: etree._Element) -> etree._Element:
    core = "Request/SeatAvailibilityCoreRequest"
    offer_id = text(rq, f"{core}/OfferRequest/Offer/OfferID")
    order_id = text(rq, f"{core}/OrderRequest/Order/OrderID")
    if offer_id:
        maps = fare_seat_maps(airline, offer_id)
    elif order_id:
        maps = booking_seat_maps(airline, order_id)
    else:
        raise errors.bad_request("SeatAvailabilityRQ: an OfferRequest or an OrderRequest")
    return seat_availability_response(airline, maps)


def seat_availability_response(airline: SimAirline, maps: SeatMaps) -> etree._Element:
    root = document("IATA_SeatAvailabilityRS")
    response = add(root, "Response")
    code = airline.spec.code
    paying: list[PaxType] = sorted({p for p in maps.passengers if p != "INF"})
    offer = add(response, "ALaCarteOffer")
    lists = _DataLists(response, maps.legs[0].cabin if maps.legs else "Y", maps.passengers)
    offer_id = seat_offer_id(code)
    items = seat_items(maps, offer_id)
    add(offer, "OfferID", offer_id)
    for number, ((pax, cents), item_id) in enumerate(items.items(), start=1):
        item = add(offer, "OfferItem")
        eligibility = add(item, "Eligibility")
        for pax_id, ptc in zip(lists.pax_ids, maps.passengers, strict=True):
            if ptc == pax:
                add(eligibility, "PaxRefID", pax_id)
        add(item, "OfferItemID", item_id)
        service = add(item, "Service")
        add(service, "ServiceDefinitionRefID", SERVICE_DEFINITION)
        add(service, "ServiceID", f"SRV{number}")
        price = add(item, "UnitPrice")
        add(price, "TotalAmount", str(decimal_amount(cents)), CurCode=maps.currency)
    add(offer, "OwnerCode", code)
    segment_ids = [lists.segment(airline.leg_instance(leg.flight, leg.day)) for leg in maps.legs]
    lists.close()
    data_lists = response.find(f"{{{response.nsmap[None]}}}DataLists")
    assert data_lists is not None
    definitions = add(data_lists, "ServiceDefinitionList")
    definition = add(definitions, "ServiceDefinition")
    add(definition, "Name", "Seat")
    add(definition, "OwnerCode", code)
    add(definition, "ServiceDefinitionID", SERVICE_DEFINITION)
    for leg, segment_id in zip(maps.legs, segment_ids, strict=True):
        _seat_map(response, leg, segment_id, items, paying, maps.currency)
    return payload(root)


def seat_offer_id(code: str) -> str:
    """The OfferID of the airline's seats: one a-la-carte offer, its items a price each."""
    return f"SEATS-{code}"


def seat_items(maps: SeatMaps, offer_id: str) -> dict[tuple[PaxType, int], str]:
    """Every price a seat of these maps can have, per passenger type: the a-la-carte items,
    numbered in a stable order, so an OrderChange can be checked against the items it names."""
    paying = sorted({p for p in maps.passengers if p != "INF"})
    prices = sorted(
        {
            (pax, seat_price_cents(spot, leg.cabin, pax, maps.currency))
            for leg in maps.legs
            for spot in leg.layout.spots
            for pax in paying
        }
    )
    return {price: f"{offer_id}-{n}" for n, price in enumerate(prices, start=1)}


def _seat_map(
    response: etree._Element,
    leg: LegSeats,
    segment_id: str,
    items: dict[tuple[PaxType, int], str],
    paying: list[PaxType],
    currency: str,
) -> None:
    seat_map = add(response, "SeatMap")
    compartment = add(seat_map, "CabinCompartment")
    rows = leg.layout.rows
    _components(compartment, leg)
    cabin = add(compartment, "CabinType")
    add(cabin, "CabinTypeCode", leg.cabin)
    add(compartment, "FirstRowNumber", str(rows[0].number))
    add(compartment, "LastRowNumber", str(rows[-1].number))
    _columns(compartment, leg)
    for row in rows:
        seat_row = add(compartment, "SeatRow")
        if row.exit_row:
            add(seat_row, "RowCharacteristicCode", "E")
        if row.wing:
            add(seat_row, "RowCharacteristicCode", "K")
        add(seat_row, "RowNumber", str(row.number))
        for section in row.sections:
            for spot in section:
                if spot is not None:
                    _seat(seat_row, spot, leg, items, paying, currency)
    add(seat_map, "PaxSegmentRefID", segment_id)


def _seat(
    row: etree._Element,
    spot: Spot,
    leg: LegSeats,
    items: dict[tuple[PaxType, int], str],
    paying: list[PaxType],
    currency: str,
) -> None:
    state = "available" if spot.designator in leg.mine else leg.states[spot.designator]
    seat = add(row, "Seat")
    add(seat, "ColumnID", spot.letter)
    add(seat, "OccupationStatusCode", STATUS[state])
    if state == "available":
        for pax in paying:
            add(
                seat,
                "OfferItemRefID",
                items[(pax, seat_price_cents(spot, leg.cabin, pax, currency))],
            )
    add(seat, "RowNumber", str(spot.row))
    codes = [
        code
        for code, on in (
            ("W", spot.window),
            ("A", spot.aisle),
            ("L", spot.extra_legroom),
            ("E", spot.exit_row),
            ("B", spot.bassinet),
            (NOT_FOR_INFANT, spot.exit_row),
            (NOT_FOR_CHILD, spot.exit_row),
        )
        if on
    ]
    for code in codes:
        add(seat, "SeatCharacteristicCode", code)


def _components(compartment: etree._Element, leg: LegSeats) -> None:
    """Galleys and lavatories, before the row they stand in front of."""
    for row in leg.layout.rows:
        for facility in row.facilities:
            component = add(compartment, "CabinComponent")
            add(component, "CabinComponentTypeCode", "G" if facility == "galley" else "LA")
            add(component, "FirstRowNumber", str(row.number))
            add(component, "LastRowNumber", str(row.number))
            add(component, "PositionCode", "Before")


def _columns(compartment: etree._Element, leg: LegSeats) -> None:
    rows = leg.layout.rows
    full = max(rows, key=lambda r: sum(1 for s in r.sections for p in s if p is not None))
    for section in full.sections:
        for spot in section:
            if spot is not None:
                column = add(compartment, "SeatColumn")
                add(column, "ColumnID", spot.letter)
                for code in _column_codes(spot):
                    add(column, "SeatCharacteristicCode", code)


def _column_codes(spot: Spot) -> list[str]:
    """W window, A aisle (both for a window seat beside an aisle), 9 centre."""
    codes = [code for code, on in (("W", spot.window), ("A", spot.aisle)) if on]
    return codes or ["9"]
