"""Pure builders of the IATA NDC 21.3 request messages Skyfare sends (no I/O).

Every request names its `DistributionChain` (Skyfare the seller, the airline the carrier) and
`PayloadAttributes/VersionNumber` 21.3; below the message's own children every element is in the
common-types namespace, as the schemas (`connectors/ndc/schemas.py`) require. `reference` (our
order id) travels as a `BookingRef` of our own organisation, which the airline uses to make
OrderCreate idempotent and to find the order again.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from lxml import etree

from connectors.model import CabinClass, FlightQuery, HoldPassenger

NS = "http://www.iata.org/IATA/2015/EASD/00/IATA_OffersAndOrdersMessage"
CNS = "http://www.iata.org/IATA/2015/EASD/00/IATA_OffersAndOrdersCommonTypes"
VERSION = "21.3"
AGENCY_ID = "SKYFARE"  # our OrgID with every airline
AGENCY_NAME = "Skyfare"
LANGUAGE = "EN"

CABIN_CODES: dict[CabinClass, str] = {
    "economy": "Y",
    "premium_economy": "W",
    "business": "C",
    "first": "F",
}
_PTC = {"adult": "ADT", "child": "CHD", "infant": "INF"}
_GENDER = {"m": "M", "f": "F", "x": "X"}
_NSMAP = {None: NS, "c": CNS}


class SelectedOffer:
    """What selecting an offer needs back: its id, its item ids and the airline's pax ids.

    Packed into one printable string (the supplier offer id inside our public offer id) as
    `item,item;pax,pax;OfferID` — the OfferID last, so the id reads as the airline's at its end.
    """

    __slots__ = ("item_ids", "offer_id", "pax_ids")

    def __init__(self, offer_id: str, item_ids: Sequence[str], pax_ids: Sequence[str]) -> None:
        self.offer_id = offer_id
        self.item_ids = tuple(item_ids)
        self.pax_ids = tuple(pax_ids)

    def pack(self) -> str:
        return f"{','.join(self.item_ids)};{','.join(self.pax_ids)};{self.offer_id}"

    @classmethod
    def unpack(cls, packed: str) -> SelectedOffer:
        """The parts of `pack`'s string; a string not packed so is an offer id on its own."""
        items, sep, rest = packed.partition(";")
        paxs, sep2, offer_id = rest.partition(";")
        if not (sep and sep2 and items and paxs and offer_id):
            return cls(packed, (packed,), ("PAX1",))
        return cls(offer_id, items.split(","), paxs.split(","))


def _add(parent: etree._Element, tag: str, value: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CNS}}}{tag}")
    if value is not None:
        element.text = value
    return element


def _top(parent: etree._Element, tag: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{tag}")


def _document(tag: str, carrier: str) -> tuple[etree._Element, etree._Element]:
    """A message root with its DistributionChain and PayloadAttributes; returns (root, Request)."""
    # The default namespace is keyed None; lxml-stubs only allow str keys.
    root = etree.Element(f"{{{NS}}}{tag}", nsmap=_NSMAP)  # type: ignore[arg-type]
    chain = _top(root, "DistributionChain")
    for ordinal, (role, org_id, name) in enumerate(
        (("Seller", AGENCY_ID, AGENCY_NAME), ("Carrier", carrier, None)), start=1
    ):
        link = _add(chain, "DistributionChainLink")
        _add(link, "Ordinal", str(ordinal))
        _add(link, "OrgRole", role)
        org = _add(link, "ParticipatingOrg")
        if name:
            _add(org, "Name", name)
        _add(org, "OrgID", org_id)
    _add(_top(root, "PayloadAttributes"), "VersionNumber", VERSION)
    return root, _top(root, "Request")


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def air_shopping(query: FlightQuery, *, carrier: str) -> bytes:
    """AirShoppingRQ built by lxml (searches send the same bytes from a template:
    connectors/ndc/shopping_template.py)."""
    slices, ptcs = shopping_values(query)
    return build_air_shopping(
        carrier,
        slices,
        ptcs,
        max_connections=str(query.max_connections),
        currency=query.currency,
    )


# What an AirShoppingRQ says per slice: cabin code, destination, date, origin.
ShoppingSlice = tuple[str, str, str, str]


def shopping_values(query: FlightQuery) -> tuple[list[ShoppingSlice], tuple[str, ...]]:
    """Each slice's texts, and each passenger's PTC, as AirShoppingRQ writes them."""
    cabin = CABIN_CODES[query.cabin_class]
    slices = [(cabin, s.destination, s.departure_date.isoformat(), s.origin) for s in query.slices]
    pax = query.passengers
    return slices, ("ADT",) * pax.adults + ("CHD",) * pax.children + ("INF",) * pax.infants


def build_air_shopping(
    carrier: str,
    slices: Sequence[ShoppingSlice],
    ptcs: Sequence[str],
    *,
    max_connections: str,
    currency: str,
) -> bytes:
    """AirShoppingRQ built element by element (lxml): the template's source, and the way for
    values a template cannot hold."""
    root, request = _document("IATA_AirShoppingRQ", carrier)
    criteria = _add(_add(request, "FlightRequest"), "FlightRequestOriginDestinationsCriteria")
    for number, (cabin_code, destination, date, origin) in enumerate(slices, start=1):
        od = _add(criteria, "OriginDestCriteria")
        cabin = _add(od, "CabinType")
        _add(cabin, "CabinTypeCode", cabin_code)
        _add(_add(cabin, "PrefLevel"), "PrefLevelCode", "Required")
        _add(_add(od, "DestArrivalCriteria"), "IATA_LocationCode", destination)
        departure = _add(od, "OriginDepCriteria")
        _add(departure, "Date", date)
        _add(departure, "IATA_LocationCode", origin)
        _add(od, "OriginDestID", f"OD{number}")
    # FlightRelatedCriteria comes before FlightRequest in the schema's (alphabetical) order.
    related = etree.Element(f"{{{CNS}}}FlightRelatedCriteria")
    connection = _add(related, "ConnectionCriteria")
    _add(connection, "ConnectionCriteriaID", "CONN1")
    _add(connection, "MaximumConnectionQty", max_connections)
    request.insert(0, related)
    pax_list = _add(request, "PaxList")
    for number, ptc in enumerate(ptcs, start=1):
        element = _add(pax_list, "Pax")
        _add(element, "PaxID", f"PAX{number}")
        _add(element, "PTC", ptc)
    _add(_add(_add(request, "ResponseParameters"), "CurParameter"), "CurCode", currency)
    return _bytes(root)


def _selected(parent: etree._Element, tag: str, packed: str, owner_code: str) -> None:
    offer = SelectedOffer.unpack(packed)
    selected = _add(parent, tag)
    _add(selected, "OfferRefID", offer.offer_id)
    _add(selected, "OwnerCode", owner_code)
    for item_id in offer.item_ids:
        item = _add(selected, "SelectedOfferItem")
        _add(item, "OfferItemRefID", item_id)
        for pax_id in offer.pax_ids:
            _add(item, "PaxRefID", pax_id)


def offer_price(packed_offer: str, *, owner_code: str) -> bytes:
    root, request = _document("IATA_OfferPriceRQ", owner_code)
    selected_list = _add(_add(request, "PricedOffer"), "SelectedOfferList")
    _selected(selected_list, "SelectedOffer", packed_offer, owner_code)
    return _bytes(root)


def order_create(
    packed_offer: str, passengers: Sequence[HoldPassenger], *, reference: str, owner_code: str
) -> bytes:
    root, request = _document("IATA_OrderCreateRQ", owner_code)
    _booking_ref(request, reference)
    offers = _add(_add(request, "CreateOrder"), "AcceptSelectedQuotedOfferList")
    _selected(offers, "SelectedPricedOffer", packed_offer, owner_code)
    pax_list = _add(_add(request, "DataLists"), "PaxList")
    offered = SelectedOffer.unpack(packed_offer).pax_ids
    # The airline's own pax ids when the offer named as many, ours otherwise.
    pax_ids = (
        offered
        if len(offered) == len(passengers)
        else [f"PAX{n}" for n in range(1, len(passengers) + 1)]
    )
    # NDC pairs an infant (PTC INF) with the adult whose lap it is on by the infant's PaxRefID.
    holder = {
        p.lap_infant: pax_ids[i] for i, p in enumerate(passengers) if p.lap_infant is not None
    }
    for index, passenger in enumerate(passengers):
        pax = _add(pax_list, "Pax")
        _add(pax, "Birthdate", passenger.born_on.isoformat())
        individual = _add(pax, "Individual")
        _add(individual, "GenderCode", _GENDER[passenger.gender])
        _add(individual, "GivenName", passenger.given_name)
        _add(individual, "Surname", passenger.family_name)
        _add(pax, "PaxID", pax_ids[index])
        if index in holder:
            _add(pax, "PaxRefID", holder[index])
        _add(pax, "PTC", _PTC[passenger.type])
    return _bytes(root)


def order_retrieve(reference: str, *, owner_code: str) -> bytes:
    """OrderRetrieveRQ finding the order by our own BookingRef."""
    root, request = _document("IATA_OrderRetrieveRQ", owner_code)
    criteria = _add(request, "OrderValidationFilterCriteria")
    booking = _add(criteria, "BookingRefFilterCriteria")
    _add(booking, "BookingID", reference)
    org = _add(booking, "Org")
    _add(org, "Name", AGENCY_NAME)
    _add(org, "OrgID", AGENCY_ID)
    return _bytes(root)


def order_retrieve_by_id(locator: str, *, owner_code: str) -> bytes:
    """OrderRetrieveRQ finding the order by the airline's OrderID."""
    root, request = _document("IATA_OrderRetrieveRQ", owner_code)
    criteria = _add(_add(request, "OrderValidationFilterCriteria"), "OrderFilterCriteria")
    _add(criteria, "OrderID", locator)
    _add(criteria, "OwnerCode", owner_code)
    return _bytes(root)


def order_change_issue_tickets(
    locator: str, *, owner_code: str, amount: Decimal, currency: str
) -> bytes:
    """OrderChangeRQ paying the order's amount by agency settlement (BSP), which tickets it."""
    root, request = _document("IATA_OrderChangeRQ", owner_code)
    _order(request, locator, owner_code)
    processing = _add(_add(request, "PaymentFunctions"), "PaymentProcessingDetails")
    total = _add(processing, "Amount", str(amount))
    total.set("CurCode", currency)
    plan = _add(_add(processing, "PaymentMethod"), "SettlementPlan")
    _add(plan, "PaymentTypeCode", "CA")  # cash via the settlement plan: no card data travels
    return _bytes(root)


def order_reshop_cancel(locator: str, *, owner_code: str) -> bytes:
    """OrderReshopRQ asking what cancelling the whole order refunds (21.3's cancellation quote)."""
    root, request = _document("IATA_OrderReshopRQ", owner_code)
    _add(request, "OrderRefID", locator)
    _add(_add(_add(request, "UpdateOrder"), "CancelOrderRef"), "OrderRefID", locator)
    return _bytes(root)


def order_change_accept_cancel(locator: str, offer_id: str, *, owner_code: str) -> bytes:
    """OrderChangeRQ accepting the cancellation offer an OrderReshopRS quoted."""
    root, request = _document("IATA_OrderChangeRQ", owner_code)
    accepted = _add(_add(request, "ChangeOrderChoice"), "AcceptCancelledOffer")
    _add(accepted, "OfferID", offer_id)
    _add(accepted, "OwnerCode", owner_code)
    _order(request, locator, owner_code)
    return _bytes(root)


def _order(request: etree._Element, locator: str, owner_code: str) -> None:
    order = _add(request, "Order")
    _add(order, "OrderID", locator)
    _add(order, "OwnerCode", owner_code)


def _booking_ref(parent: etree._Element, reference: str) -> None:
    ref = _add(parent, "BookingRef")
    org = _add(_add(ref, "BookingEntity"), "Org")
    _add(org, "Name", AGENCY_NAME)
    _add(org, "OrgID", AGENCY_ID)
    _add(ref, "BookingID", reference)
