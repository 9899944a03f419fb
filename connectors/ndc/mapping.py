"""Pure translation of NDC 21.3 answer documents into Skyfare's domain (lxml, no I/O): offers,
priced offers, orders, the cancellation quote and the route network. Reading the documents
(parsing, errors, paths) is connectors/ndc/reading.py; their DataLists, datalists.py.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
from lxml import etree

from connectors import offer_ids
from connectors.model import Conditions, Hold, Offer, Owner, PricedOffer
from connectors.ndc.baggage import segment_bags
from connectors.ndc.datalists import DataLists
from connectors.ndc.messages import AGENCY_ID, CNS, NS, SelectedOffer
from connectors.ndc.reading import (
    Malformed,
    answer_of,
    child,
    child_text,
    children,
    every,
    find,
    money,
    parse,
    path,
    raise_for_errors,
    tag,
    tags,
    text,
    texts,
    utc,
)

__all__ = [
    "CNS",
    "DEFAULT_SEATS",
    "NS",
    "parse",
    "raise_for_errors",
    "to_cancel_offer",
    "to_hold",
    "to_network",
    "to_offers",
    "to_priced_offer",
]

STATUS = {"OPENED": "held", "TICKETED": "ticketed", "CANCELLED": "cancelled"}
# 21.3 has no element for the seats left; an airline that does not say is taken to have the 9
# a GDS availability display shows as "9 or more".
DEFAULT_SEATS = 9


def to_network(root: etree._Element, *, airline: str) -> tuple[Owner, frozenset[str]]:
    """Our `Skyfare_RouteNetworkRS` (not an NDC message): every element in the NDC namespace."""

    def network(steps: str) -> list[str]:
        return [
            (e.text or "").strip()
            for e in root.iterfind("/".join(f"{{{NS}}}{step}" for step in steps.split("/")))
        ]

    with answer_of(airline):
        [code], [name] = network("Carrier/AirlineDesigCode"), network("Carrier/Name")
        return Owner(iata_code=code, name=name), frozenset(
            t for t in network("Airports/IATA_LocationCode") if t
        )


def _allowed(item: dict[str, etree._Element], restriction: str) -> bool:
    """CancelRestrictions / ChangeRestrictions: allowed only when the airline says so."""
    found = item.get(tags(restriction)[0])
    if found is not None:
        for node in found:  # by hand: findtext goes through ElementPath (bench/ndc_cost.py)
            if node.tag == _ALLOWED:
                return (node.text or "").strip() == "true"
    return False


_ALLOWED = tag("AllowedModificationInd")


def _price(price: dict[str, etree._Element]) -> tuple[Decimal, Decimal, Decimal, str]:
    """(total, base, taxes, currency) of a PriceType; base is total less taxes if not given."""
    total, currency = money(child(price, "TotalAmount"))
    summary = price.get(tags("TaxSummary")[0])
    tax_element = None if summary is None else find(summary, "TotalTaxAmount")
    taxes = Decimal(0) if tax_element is None else money(tax_element)[0]
    base_element = price.get(tags("BaseAmount")[0])
    base = total - taxes if base_element is None else money(base_element)[0]
    return total, base, taxes, currency


def _offer(offer: etree._Element, lists: DataLists, *, source: str, owner: Owner) -> Offer:
    kids = children(offer)
    total, base, taxes, currency = _price(children(child(kids, "TotalPrice")))
    journey_ids = [
        child_text(children(priced), "PaxJourneyRefID") for priced in child(kids, "JourneyOverview")
    ]
    if not journey_ids:
        raise Malformed("offer without journeys")
    items = [children(item) for item in offer if item.tag == _ITEM]
    if not items:
        raise Malformed("offer without OfferItem")
    offer_id = child_text(kids, "OfferID")
    bags = None  # no associations: the airline did not say
    if _BAGS in kids:
        journeys = {j: lists.journey_segments[j] for j in journey_ids}
        bags = segment_bags(offer, lists.bag_pax_id, journeys)
    owner_code = child_text(kids, "OwnerCode")
    selected = SelectedOffer(offer_id, [child_text(i, "OfferItemID") for i in items], lists.pax_ids)
    return Offer(
        id=offer_ids.encode(source, selected.pack()),
        total_amount=total,
        total_currency=currency,
        base_amount=base,
        tax_amount=taxes,
        owner=owner if owner.iata_code == owner_code else Owner(owner_code, owner.name),
        source=source,
        expires_at=utc(child_text(kids, "OfferExpirationTimeLimitDateTime")),
        seats_remaining=lists.seats.get(offer_id, DEFAULT_SEATS),
        conditions=Conditions(
            refundable=_allowed(items[0], "CancelRestrictions"),
            changeable=_allowed(items[0], "ChangeRestrictions"),
        ),
        slices=tuple(lists.slice(j, bags) for j in journey_ids),
        passengers=lists.passengers,
    )


_ITEM = tag("OfferItem")
_BAGS = tag("BaggageAssociations")


def to_offers(root: etree._Element, *, source: str, owner: Owner) -> list[Offer]:
    """The offers of an IATA_AirShoppingRS (none without an Offer)."""
    with answer_of(source):
        response = root.find(path("Response"))
        if response is None:
            raise Malformed("no Response")
        if find(response, "OffersGroup") is None:  # 21.3 requires it, offers or none
            raise Malformed("no OffersGroup in the Response")
        offers = list(every(response, "OffersGroup/CarrierOffers/Offer"))
        if not offers:
            return []
        lists = DataLists(response, root)
        return [_offer(o, lists, source=source, owner=owner) for o in offers]


def to_priced_offer(root: etree._Element, *, source: str, owner: Owner) -> PricedOffer:
    """The offer of an IATA_OfferPriceRS; a PRICE_CHANGED warning means it has a new id."""
    with answer_of(source):
        response = root.find(path("Response"))
        offer = None if response is None else response.find(path("PricedOffer"))
        if response is None or offer is None:
            raise Malformed("no PricedOffer")
        priced = _offer(offer, DataLists(response, root), source=source, owner=owner)
        changed = "PRICE_CHANGED" in texts(response, "Warning/Code")
        return PricedOffer(**msgspec.structs.asdict(priced), price_changed=changed)


def to_hold(root: etree._Element, *, airline: str) -> Hold:
    """The order of an IATA_OrderViewRS."""
    with answer_of(airline):
        order = root.find(path("Response/Order"))
        if order is None:
            raise Malformed("no Order")
        total, _base, _taxes, currency = _price(children(child(children(order), "TotalPrice")))
        limits = [utc(t) for t in texts(order, "OrderItem/PaymentTimeLimitDateTime") if t]
        if not limits:
            raise Malformed("no PaymentTimeLimitDateTime")
        return Hold(
            locator=text(order, "OrderID"),
            reference=_our_reference(order),
            status=STATUS[text(order, "StatusCode")],  # type: ignore[arg-type]
            total_amount=total,
            total_currency=currency,
            payment_required_by=min(limits),
            ticket_numbers=tuple(texts(root, "Response/TicketDocInfo/Ticket/TicketNumber")),
        )


def to_cancel_offer(root: etree._Element, *, airline: str) -> str:
    """The OfferID of the cancellation an IATA_OrderReshopRS quotes (to accept in OrderChange)."""
    with answer_of(airline):
        return text(root, "Response/ReshopResults/ReshopOffers/Offer/OfferID")


def _our_reference(order: etree._Element) -> str:
    for ref in every(order, "OrderItem/Service/BookingRef"):
        if ref.findtext(path("BookingEntity/Org/OrgID")) == AGENCY_ID:
            return text(ref, "BookingID")
    raise Malformed("no BookingRef of ours in the order")
