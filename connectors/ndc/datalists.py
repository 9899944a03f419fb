"""The DataLists of an NDC 21.3 answer, resolved: passengers, segments and journeys by id, and
the seats left our sim adds (lxml, no I/O)."""

from __future__ import annotations

import msgspec
from lxml import etree

from connectors.model import (
    CabinClass,
    Passengers,
    Segment,
    Slice,
    iso_duration,
    parse_iso_duration,
)
from connectors.ndc.baggage import SegmentBags, allowances
from connectors.ndc.messages import CABIN_CODES
from connectors.ndc.reading import (
    EXT,
    Malformed,
    child,
    child_text,
    children,
    find,
    local,
    path,
    tag,
    tags,
    text,
)

CABINS: dict[str, CabinClass] = {code: cabin for cabin, code in CABIN_CODES.items()}


class DataLists:
    """The DataLists of an answer, resolved: passengers, segments, journeys by id.

    A 21.3 PaxSegment names its DatedMarketingSegment (where, when, which flight), which names
    the DatedOperatingSegment flying it, which names its DatedOperatingLeg(s) (the aircraft).
    """

    def __init__(self, response: etree._Element, root: etree._Element) -> None:
        lists = data_lists(response)
        self.paxs = listed(lists, "PaxList/Pax")
        ptcs = [(p.findtext(_PTC) or "ADT").strip() for p in self.paxs]
        self.pax_ids = tuple(text(p, "PaxID") for p in self.paxs)
        # Allowances are shown per passenger: an adult's (an infant's differ, a lap has no seat).
        self.bag_pax_id = next(
            (i for i, ptc in zip(self.pax_ids, ptcs, strict=True) if ptc == "ADT"),
            self.pax_ids[0] if self.pax_ids else "",
        )
        self._allowances = allowances(listed(lists, "BaggageAllowanceList/BaggageAllowance"))
        self.passengers = Passengers(
            adults=ptcs.count("ADT"), children=ptcs.count("CHD"), infants=ptcs.count("INF")
        )
        self._marketing = by_id(
            listed(lists, "DatedMarketingSegmentList/DatedMarketingSegment"),
            "DatedMarketingSegmentId",
        )
        self._operating = by_id(
            listed(lists, "DatedOperatingSegmentList/DatedOperatingSegment"),
            "DatedOperatingSegmentId",
        )
        self._legs = by_id(
            listed(lists, "DatedOperatingLegList/DatedOperatingLeg"), "DatedOperatingLegID"
        )
        self.segments = by_id(listed(lists, "PaxSegmentList/PaxSegment"), "PaxSegmentID")
        self.journeys = by_id(listed(lists, "PaxJourneyList/PaxJourney"), "PaxJourneyID")
        self.seats = {
            e.get("OfferRefID", ""): int(e.get("Qty", ""))
            for e in root.iterfind(f"{path('AugmentationPoint')}/{{{EXT}}}SeatsLeft/{{{EXT}}}Offer")
        }
        self.journey_segments = {
            journey_id: [(e.text or "").strip() for e in journey if e.tag == _SEGMENT_REF]
            for journey_id, journey in self.journeys.items()
        }
        self._slices: dict[tuple[str, tuple[tuple[str, ...] | None, ...]], Slice] = {}
        self._segments: dict[str, Segment] = {}
        self._bagged: dict[tuple[str, tuple[str, ...]], Segment] = {}

    def slice(self, journey_id: str, bags: SegmentBags | None = None) -> Slice:
        """The journey, its segments carrying the allowances `bags` names (none: not reported)."""
        segment_ids = self.journey_segments[journey_id]
        key = (journey_id, tuple(None if bags is None else bags.get(s) for s in segment_ids))
        found = self._slices.get(key)
        if found is None:
            journey = self.journeys[journey_id]
            segments = tuple(
                self.segment(s, bag_ids) for s, bag_ids in zip(segment_ids, key[1], strict=True)
            )
            if not segments:
                raise Malformed(f"journey {journey_id} without segments")
            found = self._slices[key] = Slice(
                origin=segments[0].origin,
                destination=segments[-1].destination,
                duration=iso_duration(parse_iso_duration(text(journey, "Duration"))),
                segments=segments,
            )
        return found

    def segment(self, segment_id: str, bag_ids: tuple[str, ...] | None = None) -> Segment:
        if bag_ids is None:
            return self._segment(segment_id)
        found = self._bagged.get((segment_id, bag_ids))
        if found is None:
            included = (self._allowances[i] for i in bag_ids)
            bags = tuple(b for b in included if b is not None)
            found = self._bagged[segment_id, bag_ids] = msgspec.structs.replace(
                self._segment(segment_id), baggages=bags
            )
        return found

    def _segment(self, segment_id: str) -> Segment:
        found = self._segments.get(segment_id)
        if found is None:
            pax_segment = self.segments[segment_id]
            marketing = self._marketing[text(pax_segment, "DatedMarketingSegmentRefId")]
            kids = children(marketing)
            operating = self._operating.get(child_text(kids, "DatedOperatingSegmentRefId"))
            leg_id = None if operating is None else operating.findtext(_LEG_REF)
            leg = None if leg_id is None else self._legs.get(leg_id.strip())
            aircraft = None if leg is None else find(leg, "IATA_AircraftType/IATA_AircraftTypeCode")
            carrier = child_text(kids, "CarrierDesigCode")
            cabin = text(pax_segment, "CabinTypeAssociationChoice/SegmentCabinType/CabinTypeCode")
            found = self._segments[segment_id] = Segment(
                marketing_carrier=carrier,
                flight_number=carrier + child_text(kids, "MarketingCarrierFlightNumberText"),
                origin=text(child(kids, "Dep"), "IATA_LocationCode"),
                destination=text(child(kids, "Arrival"), "IATA_LocationCode"),
                departing_at=local(text(child(kids, "Dep"), "AircraftScheduledDateTime")),
                arriving_at=local(text(child(kids, "Arrival"), "AircraftScheduledDateTime")),
                aircraft="" if aircraft is None else (aircraft.text or "").strip(),
                cabin_class=CABINS[cabin],
            )
        return found


_PTC = tag("PTC")
_LEG_REF = tag("DatedOperatingLegRefID")
_SEGMENT_REF = tag("PaxSegmentRefID")


def data_lists(response: etree._Element) -> dict[str, etree._Element]:
    """The lists of the Response's DataLists by tag, in one pass over its children.

    21.3 allows one DataLists with at most one list of each kind. An answer with two is
    malformed, and is read as every other element of an answer is (`find`, `children`): the
    first counts and the rest are ignored, for every list alike. (ElementPath's `iterfind` read
    them all as one: two PaxLists counted each passenger twice, and a second list's ids replaced
    the first's; and its selectors, in Python, cost most of resolving the lists.)
    """
    found = find(response, "DataLists")
    return {} if found is None else children(found)


def listed(lists: dict[str, etree._Element], steps: str) -> list[etree._Element]:
    """The members of one list of `data_lists`: `steps` is "PaxList/Pax"."""
    list_tag, member_tag = tags(steps)
    found = lists.get(list_tag)
    return [] if found is None else [e for e in found if e.tag == member_tag]


def by_id(elements: list[etree._Element], id_tag: str) -> dict[str, etree._Element]:
    return {text(e, id_tag): e for e in elements}
