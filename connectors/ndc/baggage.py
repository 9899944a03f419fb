"""Baggage in an NDC 21.3 answer (lxml, no I/O): the allowances of DataLists/BaggageAllowanceList
and the offer's `BaggageAssociations` that say which PaxSegments and passengers they cover."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from connectors.model import BaggageAllowance, BaggageType
from connectors.ndc.reading import Malformed, find, tag, text

_KINDS: dict[str, BaggageType] = {"Checked": "checked", "CarryOn": "carry_on"}
_POUND_KG = Decimal("0.45359237")
_ASSOCIATION = tag("BaggageAssociations")

# Allowance ids per PaxSegmentID; a segment missing from the map is one the airline did not cover.
SegmentBags = dict[str, tuple[str, ...]]


def allowances(listed: list[etree._Element]) -> dict[str, BaggageAllowance | None]:
    """Every BaggageAllowance of the list by id; None for one that includes nothing (zero
    pieces) or is a kind we do not show (the code list also has e.g. "Prepaid")."""
    return {text(element, "BaggageAllowanceID"): _allowance(element) for element in listed}


def _allowance(element: etree._Element) -> BaggageAllowance | None:
    kind = _KINDS.get(text(element, "TypeCode"))
    pieces = find(element, "PieceAllowance/TotalQty")
    weight = find(element, "WeightAllowance/MaximumWeightMeasure")
    # A weight-concept allowance (no pieces, "20 kg in all") is shown as one bag of that weight.
    quantity = 1 if pieces is None else int((pieces.text or "").strip())
    if kind is None or quantity <= 0:
        return None
    return BaggageAllowance(kind, quantity, None if weight is None else _kilos(element, weight))


def _kilos(allowance: etree._Element, weight: etree._Element) -> int:
    value = Decimal((weight.text or "").strip())
    if text(allowance, "WeightAllowance/WeightUnitOfMeasurement") == "LBR":
        value *= _POUND_KG
    return int(value)  # down: a limit rounded up would let a bag through that the airline refuses


def segment_bags(offer: etree._Element, pax_id: str, journeys: dict[str, list[str]]) -> SegmentBags:
    """The allowance ids of each PaxSegment for passenger `pax_id`, from the offer's associations.

    An association without flights covers every flight of the offer (`journeys`: its journeys'
    segment ids); several allowance refs in one association are a choice, of which we show the
    first (the airline lists what is included first). Children are walked by hand, one pass
    each: ElementPath lookups would be most of the cost (bench/ndc_cost.py).
    """
    found: dict[str, list[str]] = {}
    for association in offer:
        if association.tag != _ASSOCIATION:
            continue
        ref, paxs, flights = None, [], None
        for node in association:
            if node.tag == _PAX_REF:
                paxs.append((node.text or "").strip())
            elif node.tag == _ALLOWANCE_REF and ref is None:
                ref = (node.text or "").strip()
            elif node.tag == _FLIGHTS:
                flights = node
        if ref is None:
            raise Malformed("BaggageAssociations without BaggageAllowanceRefID")
        if pax_id not in paxs:
            continue
        for segment_id in _covered(flights, journeys):
            found.setdefault(segment_id, []).append(ref)
    return {segment_id: tuple(ids) for segment_id, ids in found.items()}


def _covered(flights: etree._Element | None, journeys: dict[str, list[str]]) -> list[str]:
    if flights is None:
        return [s for segments in journeys.values() for s in segments]
    covered: list[str] = []
    for choice in flights:  # PaxSegmentReferences, PaxJourneyRef (or a leg: not ours to map)
        for ref in choice:
            value = (ref.text or "").strip()
            if ref.tag == _SEGMENT_REF:
                covered.append(value)
            elif ref.tag == _JOURNEY_REF:
                covered += journeys.get(value, [])
    return covered


_PAX_REF = tag("PaxRefID")
_ALLOWANCE_REF = tag("BaggageAllowanceRefID")
_FLIGHTS = tag("OfferFlightAssociations")
_SEGMENT_REF = tag("PaxSegmentRefID")
_JOURNEY_REF = tag("PaxJourneyRefID")
