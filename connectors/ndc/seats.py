"""NDC 21.3 SeatAvailability: the request built to the schema, the answer read into `SeatMaps`.

The sim's answer (sim/ndc/seat_messages.py) is what an NDC airline sends: an ALaCarteOffer
pricing seats per passenger (OfferItems eligible to Paxs), DataLists naming the segments, and a
SeatMap per PaxSegment of SeatRows of Seats with PADIS codes (status F free; W window, A aisle,
L leg space, E exit, B bassinet; 1A not for a passenger with an infant, IE not for a child).
Pure: tested on recorded messages.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from connectors import errors
from connectors.ndc.datalists import CABINS, DataLists
from connectors.ndc.messages import SelectedOffer, _add, _bytes, _document
from connectors.ndc.reading import (
    answer_of,
    every,
    find,
    raise_for_errors,
    text,
    texts,
)
from connectors.seat_model import (
    CabinMap,
    LegSeatMap,
    PaxType,
    Place,
    SeatFacts,
    SeatMaps,
    SeatPaxType,
    SeatRow,
    facility_row,
)

_PAX: dict[str, PaxType] = {"ADT": "adult", "CHD": "child", "INF": "infant"}
_SEAT_PAX: dict[str, SeatPaxType] = {"ADT": "adult", "CHD": "child"}
_FEATURES = {"W": "window", "A": "aisle", "L": "extra_legroom", "E": "exit_row", "B": "bassinet"}
_RULES = {"IE": "exit_row_child", "1A": "exit_row_infant"}
_FACILITIES = {"G": "galley", "LA": "lavatory"}


def offer_seat_availability(packed_offer: str, *, owner_code: str) -> bytes:
    root, request = _document("IATA_SeatAvailabilityRQ", owner_code)
    offer = _add(_add(_add(request, "SeatAvailibilityCoreRequest"), "OfferRequest"), "Offer")
    _add(offer, "OfferID", SelectedOffer.unpack(packed_offer).offer_id)
    _add(offer, "OwnerCode", owner_code)
    return _bytes(root)


def order_seat_availability(locator: str, *, owner_code: str) -> bytes:
    root, request = _document("IATA_SeatAvailabilityRQ", owner_code)
    order = _add(_add(_add(request, "SeatAvailibilityCoreRequest"), "OrderRequest"), "Order")
    _add(order, "OrderID", locator)
    _add(order, "OwnerCode", owner_code)
    return _bytes(root)


def to_seat_maps(root: etree._Element, *, airline: str) -> SeatMaps:
    raise_for_errors(root, airline=airline)
    response = find(root, "Response")
    if response is None:
        raise errors.ConnectorUnavailable(f"{airline}: SeatAvailabilityRS without a Response")
    with answer_of(airline):
        lists = DataLists(response, root)
        paxs = {text(p, "PaxID"): text(p, "PTC") for p in lists.paxs}
        currency = ""
        items: dict[str, tuple[set[str], Decimal]] = {}
        for item in every(response, "ALaCarteOffer/OfferItem"):
            price = find(item, "UnitPrice/TotalAmount")
            if price is None:
                raise ValueError("OfferItem without UnitPrice/TotalAmount")
            currency = price.get("CurCode", currency)
            ptcs = {paxs[p] for p in texts(item, "Eligibility/PaxRefID")}
            items[text(item, "OfferItemID")] = (ptcs, Decimal((price.text or "").strip()))
        legs = tuple(
            _leg(seat_map, lists, items, currency) for seat_map in every(response, "SeatMap")
        )
        return SeatMaps(passengers=tuple(_PAX[p] for p in paxs.values()), legs=legs)


def _leg(
    seat_map: etree._Element,
    lists: DataLists,
    items: dict[str, tuple[set[str], Decimal]],
    currency: str,
) -> LegSeatMap:
    segment = lists.segment(text(seat_map, "PaxSegmentRefID"))
    compartment = find(seat_map, "CabinCompartment")
    if compartment is None:
        raise ValueError("SeatMap without a CabinCompartment")
    columns = [
        (text(c, "ColumnID"), frozenset(texts(c, "SeatCharacteristicCode")))
        for c in every(compartment, "SeatColumn")
    ]
    sections = _sections(columns)
    facilities: dict[int, list[str]] = {}
    for component in every(compartment, "CabinComponent"):
        kind = _FACILITIES.get(text(component, "CabinComponentTypeCode"))
        if kind is not None:
            facilities.setdefault(int(text(component, "FirstRowNumber")), []).append(kind)
    rows: list[SeatRow] = []
    wing_rows: list[int] = []
    for row in every(compartment, "SeatRow"):
        number = int(text(row, "RowNumber"))
        codes = set(texts(row, "RowCharacteristicCode"))
        seats = {text(s, "ColumnID"): s for s in every(row, "Seat")}
        if number in facilities:
            bassinet = any("B" in texts(s, "SeatCharacteristicCode") for s in seats.values())
            rows.append(facility_row(tuple(facilities[number]), len(sections), bassinet=bassinet))
        if "K" in codes:
            wing_rows.append(len(rows))
        rows.append(SeatRow(number, _row(number, sections, seats, "E" in codes, items)))
    cabin_code = text(compartment, "CabinType/CabinTypeCode")
    return LegSeatMap(
        carrier=segment.marketing_carrier,
        flight_number=segment.flight_number,
        origin=segment.origin,
        destination=segment.destination,
        departure_date=segment.departing_at.date(),
        aircraft=segment.aircraft,
        currency=currency,
        cabins=(
            CabinMap(
                cabin_class=CABINS[cabin_code],
                aisles=max(0, len(sections) - 1),
                wings=(wing_rows[0], wing_rows[-1]) if wing_rows else None,
                rows=tuple(rows),
            ),
        ),
    )


def _sections(columns: list[tuple[str, frozenset[str]]]) -> list[list[str]]:
    """Columns split at the aisles. An aisle runs between two neighbouring aisle columns (A),
    unless the left one opens its section (the two edges of one two-seat section), except at
    the cabin's side where a window seat (W) is an aisle seat too."""
    sections: list[list[str]] = [[]]
    for index, (column, codes) in enumerate(columns):
        if index and "A" in codes:
            left, left_codes = columns[index - 1]
            opens = sections[-1] == [left]
            if "A" in left_codes and (not opens or "W" in left_codes):
                sections.append([])
        sections[-1].append(column)
    return sections


def _row(
    number: int,
    sections: list[list[str]],
    seats: dict[str, etree._Element],
    exit_row: bool,
    items: dict[str, tuple[set[str], Decimal]],
) -> tuple[tuple[Place, ...], ...]:
    out = []
    for index, letters in enumerate(sections):
        places = [
            _seat(number, seats[letter], items) if letter in seats else Place("empty")
            for letter in letters
        ]
        if exit_row and index == 0:
            places.insert(0, Place("exit_row"))
        if exit_row and index == len(sections) - 1:
            places.append(Place("exit_row"))
        out.append(tuple(places))
    return tuple(out)


def _seat(number: int, seat: etree._Element, items: dict[str, tuple[set[str], Decimal]]) -> Place:
    codes = texts(seat, "SeatCharacteristicCode")
    prices: dict[SeatPaxType, Decimal] = {}
    for ref in texts(seat, "OfferItemRefID"):
        ptcs, amount = items[ref]
        for ptc in ptcs:
            if ptc in _SEAT_PAX:
                prices[_SEAT_PAX[ptc]] = amount
    return Place(
        "seat",
        SeatFacts(
            designator=f"{number}{text(seat, 'ColumnID')}",
            available=(find(seat, "OccupationStatusCode") is not None)
            and text(seat, "OccupationStatusCode") == "F",
            characteristics=tuple(_FEATURES[c] for c in codes if c in _FEATURES),
            prices=prices,
            restrictions=tuple(sorted(_RULES[c] for c in codes if c in _RULES)),
        ),
    )
