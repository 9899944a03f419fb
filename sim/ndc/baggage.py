"""Baggage the NDC 21.3 way: each allowance once in DataLists/BaggageAllowanceList, and every
offer's `BaggageAssociations` pointing at it for the PaxSegments (and passengers) it covers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lxml import etree

from sim.baggage import Allowance
from sim.ndc.xml import add

CHECKED = "Checked"  # BaggageTypeCode values (IATA code list "Baggage Allowance Type")
CARRY_ON = "CarryOn"


class AllowanceList:
    """The BaggageAllowanceList of an answer: one element per distinct allowance."""

    def __init__(self) -> None:
        self.holder = etree.Element("_")
        self._ids: dict[tuple[str, int, int], str] = {}

    def ids(self, allowance: Allowance) -> tuple[str, str]:
        """The BaggageAllowanceIDs of a leg's checked and carry-on allowance."""
        return (
            self._id(CHECKED, allowance.checked, allowance.checked_kg),
            self._id(CARRY_ON, allowance.carry_on, 0),
        )

    def _id(self, kind: str, pieces: int, kilos: int) -> str:
        key = (kind, pieces, kilos)
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = f"BAG{len(self._ids) + 1}"
            element = add(self.holder, "BaggageAllowance")
            add(element, "ApplicablePartyText", "Traveler")
            add(element, "BaggageAllowanceID", found)
            add(add(element, "PieceAllowance"), "TotalQty", str(pieces))
            add(element, "TypeCode", kind)
            if pieces and kilos:
                weight = add(element, "WeightAllowance")
                add(weight, "MaximumWeightMeasure", str(kilos))
                add(weight, "WeightUnitOfMeasurement", "KGM")
        return found


def associate(
    offer: etree._Element,
    covered: Iterable[tuple[str, Sequence[str]]],
    pax_ids: Sequence[str],
) -> None:
    """An offer's BaggageAssociations: one per allowance, naming the segments it applies to.

    `covered` pairs each PaxSegmentID with its allowance ids. One allowance per association,
    as 21.3 reads several refs in one association as a choice between them.
    """
    segments_of: dict[str, list[str]] = {}
    for segment_id, allowance_ids in covered:
        for allowance_id in allowance_ids:
            segments = segments_of.setdefault(allowance_id, [])
            if segment_id not in segments:
                segments.append(segment_id)
    for allowance_id, segment_ids in segments_of.items():
        association = add(offer, "BaggageAssociations")
        add(association, "BaggageAllowanceRefID", allowance_id)
        refs = add(add(association, "OfferFlightAssociations"), "PaxSegmentReferences")
        for segment_id in segment_ids:
            add(refs, "PaxSegmentRefID", segment_id)
        for pax_id in pax_ids:
            add(association, "PaxRefID", pax_id)
