"""NDC 21.3 journey changes of an order (pure): the messages Skyfare sends and the change offers
it reads back (lxml, no I/O).

21.3 changes an order in two steps: an `IATA_OrderReshopRQ` whose `UpdateOrder/ReshopOrder`
asks for offer items flying one journey another way (`ServiceOrder/AddOfferItems/FlightRequest`,
its `OriginDestID` `OD<n>` naming the journey replaced, from 1), answered by change offers
(`ReshopResults/ReshopOffers/Offer`: the new journey, the order's new `TotalPrice`); then an
`IATA_OrderChangeRQ` accepting one (`AcceptSelectedQuotedOfferList`) with our `BookingRef` naming
the change, so the airline never makes it twice. What 21.3 has no element for travels in the
`AugmentationPoint` (`EXT`): per change offer the order's total as booked, the new journey's own
fare, its conditions and seats left; and undoing a change (`UndoChange`), the compensation when
our own step after it failed.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from connectors.change_model import SliceChangeOffer
from connectors.model import Conditions, SliceQuery
from connectors.ndc.datalists import DataLists
from connectors.ndc.mapping import _price
from connectors.ndc.messages import (
    NS,
    SelectedOffer,
    _add,
    _booking_ref,
    _bytes,
    _document,
    _order,
    _selected,
)
from connectors.ndc.reading import (
    EXT,
    Malformed,
    answer_of,
    child,
    children,
    every,
    find,
    path,
    text,
    utc,
)


def order_reshop_change(
    locator: str, slice_index: int, query: SliceQuery, *, owner_code: str, max_connections: int
) -> bytes:
    """OrderReshopRQ: how journey `slice_index` of the order could fly `query` instead."""
    root, request = _document("IATA_OrderReshopRQ", owner_code)
    _add(request, "OrderRefID", locator)
    choice = _add(_add(_add(request, "UpdateOrder"), "ReshopOrder"), "ReshopOrderChoice")
    items = _add(_add(choice, "ServiceOrder"), "AddOfferItems")
    connection = _add(_add(items, "FlightRelatedCriteria"), "ConnectionCriteria")
    _add(connection, "ConnectionCriteriaID", "CONN1")
    _add(connection, "MaximumConnectionQty", str(max_connections))
    criteria = _add(_add(items, "FlightRequest"), "FlightRequestOriginDestinationsCriteria")
    od = _add(criteria, "OriginDestCriteria")
    _add(_add(od, "DestArrivalCriteria"), "IATA_LocationCode", query.destination)
    departure = _add(od, "OriginDepCriteria")
    _add(departure, "Date", query.departure_date.isoformat())
    _add(departure, "IATA_LocationCode", query.origin)
    _add(od, "OriginDestID", f"OD{slice_index + 1}")
    return _bytes(root)


def order_change_accept(locator: str, offer_id: str, *, reference: str, owner_code: str) -> bytes:
    """OrderChangeRQ accepting the change offer `offer_id` (packed as `SelectedOffer`: with the
    order's passengers), the change named `reference`."""
    root, request = _document("IATA_OrderChangeRQ", owner_code)
    _booking_ref(request, reference)
    accepted = _add(_add(request, "ChangeOrderChoice"), "AcceptSelectedQuotedOfferList")
    _selected(accepted, "SelectedPricedOffer", offer_id, owner_code)
    _order(request, locator, owner_code)
    return _bytes(root)


def order_change_undo(locator: str, reference: str, *, owner_code: str) -> bytes:
    """OrderChangeRQ putting the order back as it was before change `reference`."""
    root, request = _document("IATA_OrderChangeRQ", owner_code)
    _order(request, locator, owner_code)
    point = etree.Element(f"{{{NS}}}AugmentationPoint")
    etree.SubElement(point, f"{{{EXT}}}UndoChange", nsmap={"sf": EXT}, Reference=reference)
    root.insert(0, point)  # the message's first child, as 21.3 orders them
    return _bytes(root)


def to_change_offers(root: etree._Element, *, airline: str) -> list[SliceChangeOffer]:
    """The change offers of an IATA_OrderReshopRS (none when the airline has none)."""
    with answer_of(airline):
        response = find(root, "Response")
        if response is None:
            raise Malformed("no Response")
        offers = list(every(response, "ReshopResults/ReshopOffers/Offer"))
        if not offers:
            return []
        lists = DataLists(response, root)
        terms = {
            e.get("OfferRefID", ""): e
            for e in root.iterfind(f"{path('AugmentationPoint')}/{{{EXT}}}ChangeOffer")
        }
        return [_change_offer(offer, lists, terms) for offer in offers]


def _change_offer(
    offer: etree._Element, lists: DataLists, terms: dict[str, etree._Element]
) -> SliceChangeOffer:
    offer_id = text(offer, "OfferID")
    new_total, _base, new_taxes, currency = _price(children(child(children(offer), "TotalPrice")))
    term = terms[offer_id]
    old_total, old_taxes = _amounts(term, "OldTotal")
    fare, _ = _amounts(term, "Fare")
    return SliceChangeOffer(
        # The offer has no items of its own: it is accepted whole, for the order's passengers.
        supplier_fare_id=SelectedOffer(offer_id, (offer_id,), lists.pax_ids).pack(),
        slice=lists.slice(text(offer, "JourneyOverview/JourneyPriceClass/PaxJourneyRefID")),
        fare_amount=fare,
        tax_difference=new_taxes - old_taxes,
        old_total=old_total,
        new_total=new_total,
        currency=currency,
        conditions=Conditions(
            refundable=term.get("Refundable") == "true",
            changeable=term.get("Changeable") == "true",
        ),
        seats_remaining=int(term.get("SeatsLeft", "")),
        expires_at=utc(text(offer, "OfferExpirationTimeLimitDateTime")),
    )


def _amounts(term: etree._Element, tag: str) -> tuple[Decimal, Decimal]:
    found = term.find(f"{{{EXT}}}{tag}")
    if found is None:
        raise Malformed(f"{tag} missing in the change offer's terms")
    return Decimal(found.get("Amount", "")), Decimal(found.get("Taxes", ""))
