"""Pure translation of NDC answer documents into Skyfare's domain (lxml, no I/O).

`parse` turns bytes into a tree with a hardened parser; `raise_for_errors` turns an NDC
`<Errors>` block into `connectors.errors`; the `to_*` functions map an answer. Anything missing
or unreadable in an answer is the airline's fault and raised as `ConnectorUnavailable`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
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
from connectors.ndc.messages import AGENCY_ID, CABIN_CODES, NS

CABINS: dict[str, CabinClass] = {code: cabin for cabin, code in CABIN_CODES.items()}
STATUS = {"OPENED": "held", "TICKETED": "ticketed", "CANCELLED": "cancelled"}
_REJECTIONS: dict[str, type[errors.SupplierRejected]] = {
    "OFFER_NOT_FOUND": errors.OfferNotFound,
    "OFFER_EXPIRED": errors.OfferExpired,
    "SOLD_OUT": errors.SoldOut,
    "ORDER_NOT_FOUND": errors.HoldNotFound,
    "ORDER_CANCELLED": errors.InvalidRequest,
    "INVALID_PAX": errors.InvalidRequest,
    "INVALID_CURRENCY": errors.InvalidRequest,
    "INVALID_REQUEST": errors.InvalidRequest,
}
# No entities, no DTD fetching, no huge trees: an answer is untrusted input (defusedxml rules).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class Malformed(ValueError):
    """An answer that is well-formed XML but not the document we expect."""


@lru_cache(maxsize=256)
def _path(steps: str) -> str:
    return "/".join(f"{{{NS}}}{step}" for step in steps.split("/"))


@lru_cache(maxsize=256)
def _tags(steps: str) -> tuple[str, ...]:
    return tuple(f"{{{NS}}}{step}" for step in steps.split("/"))


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
    """Raise the domain error of the first `<Errors><Error>`; nothing when there is none."""
    error = root.find(_path("Errors/Error"))
    if error is None:
        return
    with _answer_of(airline):
        code = _text(error, "Code")
        message = f"{airline}: {code} ({error.findtext(_path('DescText')) or ''})"
        if code == "PRICE_CHANGED":
            amount = error.find(_path("TotalAmount"))
            if amount is None:
                raise Malformed("PRICE_CHANGED without TotalAmount")
            new_amount, currency = Decimal(amount.text or ""), amount.get("CurCode", "")
            raise errors.PriceChanged(message, new_amount=new_amount, currency=currency)
    if code == "UNAUTHORIZED":  # our configuration, not the traveler's request
        raise errors.ConnectorUnavailable(message)
    raise _REJECTIONS.get(code, errors.InvalidRequest)(message)


def to_network(root: etree._Element, *, airline: str) -> tuple[Owner, frozenset[str]]:
    with _answer_of(airline):
        owner = Owner(
            iata_code=_text(root, "Carrier/AirlineDesigCode"), name=_text(root, "Carrier/Name")
        )
        return owner, frozenset(t for t in _texts(root, "Airports/IATA_LocationCode") if t)


def _texts(element: etree._Element, steps: str) -> list[str]:
    return [(e.text or "").strip() for e in _all(element, steps)]


class _Lists:
    """The DataLists of an answer, resolved: passengers, segments, journeys by id."""

    def __init__(self, response: etree._Element) -> None:
        ptcs = _texts(response, "DataLists/PaxList/Pax/PTC")
        self.passengers = Passengers(
            adults=ptcs.count("ADT"), children=ptcs.count("CHD"), infants=ptcs.count("INF")
        )
        self.segments = {
            _text(s, "PaxSegmentID"): _segment(s)
            for s in _all(response, "DataLists/PaxSegmentList/PaxSegment")
        }
        self.journeys = {
            _text(j, "PaxJourneyID"): j
            for j in _all(response, "DataLists/PaxJourneyList/PaxJourney")
        }
        self._slices: dict[str, Slice] = {}

    def slice(self, journey_id: str) -> Slice:
        found = self._slices.get(journey_id)
        if found is None:
            journey = self.journeys[journey_id]
            segments = tuple(self.segments[i] for i in _texts(journey, "PaxSegmentRefID"))
            if not segments:
                raise Malformed(f"journey {journey_id} without segments")
            found = self._slices[journey_id] = Slice(
                origin=segments[0].origin,
                destination=segments[-1].destination,
                duration=iso_duration(parse_iso_duration(_text(journey, "Duration"))),
                segments=segments,
            )
        return found


def _segment(segment: etree._Element) -> Segment:
    carrier = _text(segment, "MarketingCarrierInfo/CarrierDesigCode")
    return Segment(
        marketing_carrier=carrier,
        flight_number=carrier
        + _text(segment, "MarketingCarrierInfo/MarketingCarrierFlightNumberText"),
        origin=_text(segment, "Dep/IATA_LocationCode"),
        destination=_text(segment, "Arrival/IATA_LocationCode"),
        departing_at=_local(_text(segment, "Dep/AircraftScheduledDateTime")),
        arriving_at=_local(_text(segment, "Arrival/AircraftScheduledDateTime")),
        aircraft=_text(segment, "DatedOperatingLeg/IATA_AircraftType/IATA_AircraftTypeCode"),
        cabin_class=CABINS[_text(segment, "CabinType/CabinTypeCode")],
    )


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


def _amount(element: etree._Element, steps: str) -> tuple[Decimal, str]:
    found = _find(element, steps)
    if found is None:
        raise Malformed(f"{steps} missing")
    return _money(found)


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


def _offer(offer: etree._Element, lists: _Lists, *, source: str, owner: Owner) -> Offer:
    kids = _kids(offer)
    price = _kids(_kid(kids, "TotalPrice"))
    total, currency = _money(_kid(price, "TotalAmount"))
    taxes = _kids(_kid(price, "TaxSummary"))
    journey_ids = [
        _kid_text(_kids(priced), "PaxJourneyRefID") for priced in _kid(kids, "JourneyOverview")
    ]
    if not journey_ids:
        raise Malformed("offer without journeys")
    rule = _kids(_kid(_kids(_kid(_kids(_kid(kids, "OfferItem")), "FareDetail")), "FareRule"))
    owner_code = _kid_text(kids, "OwnerCode")
    return Offer(
        id=offer_ids.encode(source, _kid_text(kids, "OfferID")),
        total_amount=total,
        total_currency=currency,
        base_amount=_money(_kid(price, "BaseAmount"))[0],
        tax_amount=_money(_kid(taxes, "TotalTaxAmount"))[0],
        owner=owner if owner.iata_code == owner_code else Owner(owner_code, owner.name),
        source=source,
        expires_at=_utc(_kid_text(kids, "OfferExpirationDateTime")),
        seats_remaining=int(_kid_text(kids, "RemainingSeatQty")),
        conditions=Conditions(
            refundable=_kid_text(rule, "RefundableInd") == "true",
            changeable=_kid_text(rule, "ChangeableInd") == "true",
        ),
        slices=tuple(lists.slice(j) for j in journey_ids),
        passengers=lists.passengers,
    )


def to_offers(root: etree._Element, *, source: str, owner: Owner) -> list[Offer]:
    """The offers of an IATA_AirShoppingRS (none without an OffersGroup)."""
    with _answer_of(source):
        response = root.find(_path("Response"))
        if response is None:
            raise Malformed("no Response")
        offers = list(_all(response, "OffersGroup/CarrierOffers/Offer"))
        if not offers:
            return []
        lists = _Lists(response)
        return [_offer(o, lists, source=source, owner=owner) for o in offers]


def to_priced_offer(root: etree._Element, *, source: str, owner: Owner) -> PricedOffer:
    """The offer of an IATA_OfferPriceRS; a PRICE_CHANGED warning means it has a new id."""
    with _answer_of(source):
        response = root.find(_path("Response"))
        offer = None if response is None else response.find(_path("PricedOffer/Offer"))
        if response is None or offer is None:
            raise Malformed("no PricedOffer")
        priced = _offer(offer, _Lists(response), source=source, owner=owner)
        changed = "PRICE_CHANGED" in _texts(root, "Warnings/Warning/Code")
        return PricedOffer(**msgspec.structs.asdict(priced), price_changed=changed)


def to_hold(root: etree._Element, *, airline: str) -> Hold:
    """The order of an IATA_OrderViewRS or IATA_OrderCancelRS."""
    with _answer_of(airline):
        order = root.find(_path("Response/Order"))
        if order is None:
            raise Malformed("no Order")
        total, currency = _amount(order, "TotalPrice/TotalAmount")
        return Hold(
            locator=_text(order, "OrderID"),
            reference=_our_reference(order),
            status=STATUS[_text(order, "StatusCode")],  # type: ignore[arg-type]
            total_amount=total,
            total_currency=currency,
            payment_required_by=_utc(_text(order, "PaymentTimeLimitDateTime")),
            ticket_numbers=tuple(
                _texts(root, "Response/TicketDocInfo/TicketDocument/TicketDocNbr")
            ),
        )


def _our_reference(order: etree._Element) -> str:
    for ref in _all(order, "BookingRef"):
        if ref.findtext(_path("BookingEntity/Org/OrgID")) == AGENCY_ID:
            return _text(ref, "BookingID")
    raise Malformed("no BookingRef of ours in the order")
