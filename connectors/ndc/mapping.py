"""Pure translation of NDC 21.3 answer documents into Skyfare's domain (lxml, no I/O).

`parse` turns bytes into a tree with a hardened parser; `raise_for_errors` turns the `<Error>`
an answer carries in place of its Response into `connectors.errors`; the `to_*` functions map
an answer. Anything missing or unreadable in an answer is the airline's fault and raised as
`ConnectorUnavailable`. Paths are written `Response/Order/OrderID`: a message's own children
are in the message namespace, everything below in the common types' (as the schemas have it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

import msgspec
from lxml import etree

from connectors import errors, offer_ids
from connectors.model import (
    CabinClass,
    Conditions,
    Hold,
    Offer,
    Owner,
    Passengers,
    PricedOffer,
    Segment,
    Slice,
    iso_duration,
    parse_iso_duration,
)
from connectors.ndc.messages import AGENCY_ID, CABIN_CODES, CNS, NS, SelectedOffer

logger = logging.getLogger(__name__)

CABINS: dict[str, CabinClass] = {code: cabin for cabin, code in CABIN_CODES.items()}
STATUS = {"OPENED": "held", "TICKETED": "ticketed", "CANCELLED": "cancelled"}
EXT = "urn:skyfare:ndc:extensions"  # what our sim adds in AugmentationPoint (seats left, price)
# 21.3 has no element for the seats left; an airline that does not say is taken to have the 9
# a GDS availability display shows as "9 or more".
DEFAULT_SEATS = 9
_TOP = frozenset({"AugmentationPoint", "Error", "PayloadAttributes", "Response"})
_REJECTIONS: dict[str, type[errors.SupplierRejected]] = {
    "OFFER_NOT_FOUND": errors.OfferNotFound,
    "OFFER_EXPIRED": errors.OfferExpired,
    "SOLD_OUT": errors.SoldOut,
    "ORDER_NOT_FOUND": errors.HoldNotFound,
    "ORDER_CANCELLED": errors.InvalidRequest,
    "INVALID_PAX": errors.InvalidRequest,
    "INVALID_CURRENCY": errors.InvalidRequest,
    "INVALID_REQUEST": errors.InvalidRequest,
    "SEAT_UNAVAILABLE": errors.SeatUnavailable,
}
# No entities, no DTD fetching, no huge trees: an answer is untrusted input (defusedxml rules).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class Malformed(ValueError):
    """An answer that is well-formed XML but not the document we expect."""


def _tag(step: str) -> str:
    return f"{{{NS if step in _TOP else CNS}}}{step}"


@lru_cache(maxsize=256)
def _path(steps: str) -> str:
    return "/".join(_tag(step) for step in steps.split("/"))


@lru_cache(maxsize=256)
def _tags(steps: str) -> tuple[str, ...]:
    return tuple(_tag(step) for step in steps.split("/"))


def _find(element: etree._Element, steps: str) -> etree._Element | None:
    """The first element at `steps`, walking children by hand: cheaper than an ElementPath
    `find` for the short paths of an answer (bench/ndc_cost.py: 2.6 → 2.0 ms for 50 offers)."""
    for tag in _tags(steps):
        for child in element:
            if child.tag == tag:
                element = child
                break
        else:
            return None
    return element


def _text(element: etree._Element, steps: str) -> str:
    found = _find(element, steps)
    if found is None:
        raise Malformed(f"{steps} missing in {etree.QName(element).localname}")
    return (found.text or "").strip()


def _all(element: etree._Element, steps: str) -> Iterator[etree._Element]:
    return element.iterfind(_path(steps))


@contextlib.contextmanager
def _answer_of(airline: str) -> Iterator[None]:
    """Unreadable content (missing element, bad number or date) → ConnectorUnavailable."""
    try:
        yield
    except (Malformed, ValueError, ArithmeticError, KeyError) as exc:
        raise errors.ConnectorUnavailable(f"{airline}: malformed NDC answer: {exc}") from exc


def parse(payload: bytes, *, airline: str) -> etree._Element:
    try:
        return etree.fromstring(payload, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise errors.ConnectorUnavailable(f"{airline}: unparseable XML answer: {exc}") from exc


def raise_for_errors(root: etree._Element, *, airline: str) -> None:
    """Raise the domain error of the first `<Error>`; nothing when there is none.

    The airline's code and text are logged, and kept in the error's message."""
    error = root.find(_path("Error"))
    if error is None:
        return
    with _answer_of(airline):
        code = (error.findtext(_path("Code")) or error.findtext(_path("TypeCode")) or "").strip()
        text = (error.findtext(_path("DescText")) or "").strip()
        message = f"{airline}: {code} ({text})"
        logger.info("ndc airline %s answered error %s: %s", airline, code, text)
        if code == "PRICE_CHANGED":
            amount = root.find(f"{_path('AugmentationPoint')}/{{{EXT}}}NewTotalAmount")
            if amount is None:
                raise Malformed("PRICE_CHANGED without its new total")
            new_amount, currency = Decimal(amount.text or ""), amount.get("CurCode", "")
            raise errors.PriceChanged(message, new_amount=new_amount, currency=currency)
    if code == "SEAT_RESTRICTED":  # DescText "<seat>: <rule>", as the REST airline words it
        raise errors.SeatRestricted(message, rule=text.rpartition(": ")[2])
    if code == "UNAUTHORIZED":  # our configuration, not the traveler's request
        raise errors.ConnectorUnavailable(message)
    raise _REJECTIONS.get(code, errors.InvalidRequest)(message)


def to_network(root: etree._Element, *, airline: str) -> tuple[Owner, frozenset[str]]:
    """Our `Skyfare_RouteNetworkRS` (not an NDC message): every element in the NDC namespace."""

    def find(steps: str) -> list[str]:
        return [
            (e.text or "").strip()
            for e in root.iterfind("/".join(f"{{{NS}}}{step}" for step in steps.split("/")))
        ]

    with _answer_of(airline):
        [code], [name] = find("Carrier/AirlineDesigCode"), find("Carrier/Name")
        return Owner(iata_code=code, name=name), frozenset(
            t for t in find("Airports/IATA_LocationCode") if t
        )


def _texts(element: etree._Element, steps: str) -> list[str]:
    return [(e.text or "").strip() for e in _all(element, steps)]


class _Lists:
    """The DataLists of an answer, resolved: passengers, segments, journeys by id.

    A 21.3 PaxSegment names its DatedMarketingSegment (where, when, which flight), which names
    the DatedOperatingSegment flying it, which names its DatedOperatingLeg(s) (the aircraft).
    """

    def __init__(self, response: etree._Element, root: etree._Element) -> None:
        paxs = list(_all(response, "DataLists/PaxList/Pax"))
        ptcs = [(p.findtext(_PTC) or "ADT").strip() for p in paxs]
        self.pax_ids = tuple(_text(p, "PaxID") for p in paxs)
        self.passengers = Passengers(
            adults=ptcs.count("ADT"), children=ptcs.count("CHD"), infants=ptcs.count("INF")
        )
        self._marketing = _by_id(
            response,
            "DataLists/DatedMarketingSegmentList/DatedMarketingSegment",
            "DatedMarketingSegmentId",
        )
        self._operating = _by_id(
            response,
            "DataLists/DatedOperatingSegmentList/DatedOperatingSegment",
            "DatedOperatingSegmentId",
        )
        self._legs = _by_id(
            response, "DataLists/DatedOperatingLegList/DatedOperatingLeg", "DatedOperatingLegID"
        )
        self.segments = {
            _text(s, "PaxSegmentID"): s
            for s in _all(response, "DataLists/PaxSegmentList/PaxSegment")
        }
        self.journeys = {
            _text(j, "PaxJourneyID"): j
            for j in _all(response, "DataLists/PaxJourneyList/PaxJourney")
        }
        self.seats = {
            e.get("OfferRefID", ""): int(e.get("Qty", ""))
            for e in root.iterfind(
                f"{_path('AugmentationPoint')}/{{{EXT}}}SeatsLeft/{{{EXT}}}Offer"
            )
        }
        self._slices: dict[str, Slice] = {}
        self._segments: dict[str, Segment] = {}

    def slice(self, journey_id: str) -> Slice:
        found = self._slices.get(journey_id)
        if found is None:
            journey = self.journeys[journey_id]
            segments = tuple(self.segment(i) for i in _texts(journey, "PaxSegmentRefID"))
            if not segments:
                raise Malformed(f"journey {journey_id} without segments")
            found = self._slices[journey_id] = Slice(
                origin=segments[0].origin,
                destination=segments[-1].destination,
                duration=iso_duration(parse_iso_duration(_text(journey, "Duration"))),
                segments=segments,
            )
        return found

    def segment(self, segment_id: str) -> Segment:
        found = self._segments.get(segment_id)
        if found is None:
            pax_segment = self.segments[segment_id]
            marketing = self._marketing[_text(pax_segment, "DatedMarketingSegmentRefId")]
            kids = _kids(marketing)
            operating = self._operating.get(_kid_text(kids, "DatedOperatingSegmentRefId"))
            leg_id = None if operating is None else operating.findtext(_LEG_REF)
            leg = None if leg_id is None else self._legs.get(leg_id.strip())
            aircraft = (
                None if leg is None else _find(leg, "IATA_AircraftType/IATA_AircraftTypeCode")
            )
            carrier = _kid_text(kids, "CarrierDesigCode")
            cabin = _text(pax_segment, "CabinTypeAssociationChoice/SegmentCabinType/CabinTypeCode")
            found = self._segments[segment_id] = Segment(
                marketing_carrier=carrier,
                flight_number=carrier + _kid_text(kids, "MarketingCarrierFlightNumberText"),
                origin=_text(_kid(kids, "Dep"), "IATA_LocationCode"),
                destination=_text(_kid(kids, "Arrival"), "IATA_LocationCode"),
                departing_at=_local(_text(_kid(kids, "Dep"), "AircraftScheduledDateTime")),
                arriving_at=_local(_text(_kid(kids, "Arrival"), "AircraftScheduledDateTime")),
                aircraft="" if aircraft is None else (aircraft.text or "").strip(),
                cabin_class=CABINS[cabin],
            )
        return found


_PTC = _tag("PTC")
_LEG_REF = _tag("DatedOperatingLegRefID")


def _by_id(element: etree._Element, steps: str, id_tag: str) -> dict[str, etree._Element]:
    return {_text(e, id_tag): e for e in _all(element, steps)}


def _local(value: str) -> dt.datetime:
    """Airport-local schedule time; an offset, if an airline sends one, is dropped as printed."""
    return dt.datetime.fromisoformat(value).replace(tzinfo=None)


def _utc(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:  # NDC timestamps without offset are UTC
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _money(element: etree._Element) -> tuple[Decimal, str]:
    return Decimal((element.text or "").strip()), element.get("CurCode", "")


def _kids(element: etree._Element) -> dict[str, etree._Element]:
    """Children by (namespaced) tag, the first of each: one pass instead of a lookup per field,
    which is most of the cost of mapping 50 offers (bench/ndc_cost.py)."""
    kids: dict[str, etree._Element] = {}
    for child in element:
        kids.setdefault(child.tag, child)
    return kids


def _kid(kids: dict[str, etree._Element], name: str) -> etree._Element:
    found = kids.get(_tags(name)[0])
    if found is None:
        raise Malformed(f"{name} missing")
    return found


def _kid_text(kids: dict[str, etree._Element], name: str) -> str:
    return (_kid(kids, name).text or "").strip()


def _allowed(item: dict[str, etree._Element], restriction: str) -> bool:
    """CancelRestrictions / ChangeRestrictions: allowed only when the airline says so."""
    found = item.get(_tags(restriction)[0])
    if found is not None:
        for child in found:  # by hand: findtext goes through ElementPath (bench/ndc_cost.py)
            if child.tag == _ALLOWED:
                return (child.text or "").strip() == "true"
    return False


_ALLOWED = _tag("AllowedModificationInd")


def _price(price: dict[str, etree._Element]) -> tuple[Decimal, Decimal, Decimal, str]:
    """(total, base, taxes, currency) of a PriceType; base is total less taxes if not given."""
    total, currency = _money(_kid(price, "TotalAmount"))
    summary = price.get(_tags("TaxSummary")[0])
    tax_element = None if summary is None else _find(summary, "TotalTaxAmount")
    taxes = Decimal(0) if tax_element is None else _money(tax_element)[0]
    base_element = price.get(_tags("BaseAmount")[0])
    base = total - taxes if base_element is None else _money(base_element)[0]
    return total, base, taxes, currency


def _offer(offer: etree._Element, lists: _Lists, *, source: str, owner: Owner) -> Offer:
    kids = _kids(offer)
    total, base, taxes, currency = _price(_kids(_kid(kids, "TotalPrice")))
    journey_ids = [
        _kid_text(_kids(priced), "PaxJourneyRefID") for priced in _kid(kids, "JourneyOverview")
    ]
    if not journey_ids:
        raise Malformed("offer without journeys")
    items = [_kids(item) for item in offer if item.tag == _ITEM]
    if not items:
        raise Malformed("offer without OfferItem")
    offer_id = _kid_text(kids, "OfferID")
    owner_code = _kid_text(kids, "OwnerCode")
    selected = SelectedOffer(offer_id, [_kid_text(i, "OfferItemID") for i in items], lists.pax_ids)
    return Offer(
        id=offer_ids.encode(source, selected.pack()),
        total_amount=total,
        total_currency=currency,
        base_amount=base,
        tax_amount=taxes,
        owner=owner if owner.iata_code == owner_code else Owner(owner_code, owner.name),
        source=source,
        expires_at=_utc(_kid_text(kids, "OfferExpirationTimeLimitDateTime")),
        seats_remaining=lists.seats.get(offer_id, DEFAULT_SEATS),
        conditions=Conditions(
            refundable=_allowed(items[0], "CancelRestrictions"),
            changeable=_allowed(items[0], "ChangeRestrictions"),
        ),
        slices=tuple(lists.slice(j) for j in journey_ids),
        passengers=lists.passengers,
    )


_ITEM = _tag("OfferItem")


def to_offers(root: etree._Element, *, source: str, owner: Owner) -> list[Offer]:
    """The offers of an IATA_AirShoppingRS (none without an Offer)."""
    with _answer_of(source):
        response = root.find(_path("Response"))
        if response is None:
            raise Malformed("no Response")
        if _find(response, "OffersGroup") is None:  # 21.3 requires it, offers or none
            raise Malformed("no OffersGroup in the Response")
        offers = list(_all(response, "OffersGroup/CarrierOffers/Offer"))
        if not offers:
            return []
        lists = _Lists(response, root)
        return [_offer(o, lists, source=source, owner=owner) for o in offers]


def to_priced_offer(root: etree._Element, *, source: str, owner: Owner) -> PricedOffer:
    """The offer of an IATA_OfferPriceRS; a PRICE_CHANGED warning means it has a new id."""
    with _answer_of(source):
        response = root.find(_path("Response"))
        offer = None if response is None else response.find(_path("PricedOffer"))
        if response is None or offer is None:
            raise Malformed("no PricedOffer")
        priced = _offer(offer, _Lists(response, root), source=source, owner=owner)
        changed = "PRICE_CHANGED" in _texts(response, "Warning/Code")
        return PricedOffer(**msgspec.structs.asdict(priced), price_changed=changed)


def to_hold(root: etree._Element, *, airline: str) -> Hold:
    """The order of an IATA_OrderViewRS."""
    with _answer_of(airline):
        order = root.find(_path("Response/Order"))
        if order is None:
            raise Malformed("no Order")
        total, _base, _taxes, currency = _price(_kids(_kid(_kids(order), "TotalPrice")))
        limits = [_utc(t) for t in _texts(order, "OrderItem/PaymentTimeLimitDateTime") if t]
        if not limits:
            raise Malformed("no PaymentTimeLimitDateTime")
        return Hold(
            locator=_text(order, "OrderID"),
            reference=_our_reference(order),
            status=STATUS[_text(order, "StatusCode")],  # type: ignore[arg-type]
            total_amount=total,
            total_currency=currency,
            payment_required_by=min(limits),
            ticket_numbers=tuple(_texts(root, "Response/TicketDocInfo/Ticket/TicketNumber")),
        )


def to_cancel_offer(root: etree._Element, *, airline: str) -> str:
    """The OfferID of the cancellation an IATA_OrderReshopRS quotes (to accept in OrderChange)."""
    with _answer_of(airline):
        return _text(root, "Response/ReshopResults/ReshopOffers/Offer/OfferID")


def _our_reference(order: etree._Element) -> str:
    for ref in _all(order, "OrderItem/Service/BookingRef"):
        if ref.findtext(_path("BookingEntity/Org/OrgID")) == AGENCY_ID:
            return _text(ref, "BookingID")
    raise Malformed("no BookingRef of ours in the order")
