"""NDC 21.3 seat selection (pure): seats chosen from an order's SeatAvailabilityRS, accepted with
an OrderChangeRQ, read back from the OrderViewRS.

21.3 sells seats as a-la-carte services: the order's `IATA_SeatAvailabilityRS` carries an
`ALaCarteOffer` whose OfferItems price a seat for the passengers they are eligible to, and a
`SeatMap` per PaxSegment whose free seats (`OccupationStatusCode` F) refer to those items. The
`IATA_OrderChangeRQ` accepts that offer (`ChangeOrderChoice/AcceptSelectedQuotedOfferList/
SelectedPricedOffer`) with one `SelectedOfferItem` per passenger and segment: the item pricing the
seat for that passenger, `PaxRefID`, the segment (`SelectedALaCarteOfferItem/
OfferFlightAssociations/PaxSegmentReferences`) and `SelectedSeat` (column, row). The answer, an
`IATA_OrderViewRS`, lists the seats the order holds as OrderItem Services associated `SeatOnLeg`.
Legs and passengers are numbered as the SeatAvailabilityRS lists its SeatMaps and Paxs: the
booking's own order, as `NdcConnector.booking_seat_maps` draws them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec
from lxml import etree

from connectors import errors
from connectors.ndc.datalists import data_lists, listed
from connectors.ndc.messages import CNS, _add, _bytes, _document, _order
from connectors.ndc.reading import (
    Malformed,
    answer_of,
    every,
    find,
    raise_for_errors,
    text,
    texts,
)
from connectors.seat_model import SeatSelection

FREE = "F"
_SEAT, _COLUMN, _STATUS, _ITEM_REF = (
    f"{{{CNS}}}{tag}" for tag in ("Seat", "ColumnID", "OccupationStatusCode", "OfferItemRefID")
)
_DESIGNATOR = re.compile(r"([0-9]{1,3})([A-Z])")


class SeatOffer(msgspec.Struct, frozen=True):
    """What choosing seats of an order needs from its SeatAvailabilityRS."""

    offer_id: str
    owner_code: str
    pax_ids: tuple[str, ...]  # index: the passenger's
    segment_ids: tuple[str, ...]  # index: the leg's
    seats: tuple[dict[str, tuple[str, tuple[str, ...]]], ...]  # per leg: seat → status, items
    eligible: dict[str, frozenset[str]]  # OfferItemID → the PaxIDs it may be sold to


def seat_offer(root: etree._Element, *, airline: str) -> SeatOffer:
    """The seat offer of an order's IATA_SeatAvailabilityRS."""
    raise_for_errors(root, airline=airline)
    with answer_of(airline):
        response = find(root, "Response")
        offer = None if response is None else find(response, "ALaCarteOffer")
        if response is None or offer is None:
            raise Malformed("SeatAvailabilityRS without an ALaCarteOffer")
        return SeatOffer(
            offer_id=text(offer, "OfferID"),
            owner_code=text(offer, "OwnerCode"),
            pax_ids=tuple(
                i for p in listed(data_lists(response), "PaxList/Pax") for i in texts(p, "PaxID")
            ),
            segment_ids=tuple(texts(response, "SeatMap/PaxSegmentRefID")),
            seats=tuple(_seats(seat_map) for seat_map in every(response, "SeatMap")),
            eligible={
                text(item, "OfferItemID"): frozenset(texts(item, "Eligibility/PaxRefID"))
                for item in every(offer, "OfferItem")
            },
        )


def _seats(seat_map: etree._Element) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each seat's status and the items pricing it, children walked by hand: ElementPath lookups
    per seat made reading a 180-seat cabin three times slower."""
    found = {}
    for row in every(seat_map, "CabinCompartment/SeatRow"):
        number = text(row, "RowNumber")
        for seat in row:
            if seat.tag != _SEAT:
                continue
            column, status, items = "", "", []
            for child in seat:
                tag = child.tag
                if tag == _COLUMN:
                    column = (child.text or "").strip()
                elif tag == _STATUS:
                    status = (child.text or "").strip()
                elif tag == _ITEM_REF:
                    items.append((child.text or "").strip())
            if not column:
                raise Malformed(f"a seat of row {number} without its ColumnID")
            found[number + column] = (status, tuple(items))
    return found


def order_change_seats(
    locator: str,
    offer: SeatOffer,
    selections: Sequence[SeatSelection],
    *,
    owner_code: str,
    airline: str,
) -> bytes:
    """IATA_OrderChangeRQ accepting the seats chosen; raises `SeatUnavailable` for a seat the
    map shows taken and `InvalidRequest` for one it does not have (nothing is sent then)."""
    root, request = _document("IATA_OrderChangeRQ", owner_code)
    choice = _add(_add(request, "ChangeOrderChoice"), "AcceptSelectedQuotedOfferList")
    selected = _add(choice, "SelectedPricedOffer")
    _add(selected, "OfferRefID", offer.offer_id)
    _add(selected, "OwnerCode", offer.owner_code)
    for selection in selections:
        item_id, pax_id, segment_id = _item(offer, selection, airline)
        row, column = _split(selection.designator, airline)
        item = _add(selected, "SelectedOfferItem")
        _add(item, "OfferItemRefID", item_id)
        _add(item, "PaxRefID", pax_id)
        a_la_carte = _add(item, "SelectedALaCarteOfferItem")
        segments = _add(_add(a_la_carte, "OfferFlightAssociations"), "PaxSegmentReferences")
        _add(segments, "PaxSegmentRefID", segment_id)
        _add(a_la_carte, "Qty", "1")
        seat = _add(item, "SelectedSeat")
        _add(seat, "ColumnID", column)
        _add(seat, "SeatRowNumber", row)
    _order(request, locator, owner_code)
    return _bytes(root)


def _item(offer: SeatOffer, selection: SeatSelection, airline: str) -> tuple[str, str, str]:
    """(OfferItemID, PaxID, PaxSegmentID) of one choice, checked against the seat map."""
    leg, pax, designator = selection.leg, selection.passenger, selection.designator
    if not (0 <= leg < len(offer.seats) and 0 <= pax < len(offer.pax_ids)):
        raise errors.InvalidRequest(f"{airline}: no leg {leg} or passenger {pax} in the order")
    found = offer.seats[leg].get(designator)
    if found is None:
        raise errors.InvalidRequest(f"{airline}: no seat {designator} in this cabin")
    status, item_ids = found
    if status != FREE:
        raise errors.SeatUnavailable(f"{airline}: {designator} is taken")
    pax_id = offer.pax_ids[pax]
    for item_id in item_ids:
        if pax_id in offer.eligible.get(item_id, ()):
            return item_id, pax_id, offer.segment_ids[leg]
    raise errors.InvalidRequest(f"{airline}: {designator} is not offered to passenger {pax}")


def _split(designator: str, airline: str) -> tuple[str, str]:
    match = _DESIGNATOR.fullmatch(designator)
    if match is None:
        raise errors.InvalidRequest(f"{airline}: {designator!r} is not a seat")
    return match.group(1), match.group(2)


def to_selections(
    root: etree._Element, offer: SeatOffer, *, airline: str
) -> tuple[SeatSelection, ...]:
    """Every seat the order of an IATA_OrderViewRS holds, numbered as `offer` numbers legs and
    passengers."""
    raise_for_errors(root, airline=airline)
    with answer_of(airline):
        order = find(root, "Response/Order")
        if order is None:
            raise Malformed("no Order")
        found = []
        for service in every(order, "OrderItem/Service"):
            on_leg = find(service, "OrderServiceAssociation/SeatOnLeg")
            if on_leg is None:
                continue
            segment = text(on_leg, "SeatAssignmentAssociations/PaxSegmentRef/PaxSegmentRefID")
            pax = text(service, "PaxRefID")
            if segment not in offer.segment_ids or pax not in offer.pax_ids:
                raise Malformed(f"a seat on {segment} for {pax}: not in the seat offer")
            found.append(
                SeatSelection(
                    leg=offer.segment_ids.index(segment),
                    passenger=offer.pax_ids.index(pax),
                    designator=text(on_leg, "Seat/RowNumber") + text(on_leg, "Seat/ColumnID"),
                )
            )
        return tuple(found)
