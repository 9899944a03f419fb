"""An answer's DataLists read in one pass (connectors/ndc/datalists.py): the same lists as the
ElementPath reading they replaced for every recorded answer, and the first of each list — never
a merge — for an answer that repeats one (21.3 allows one of each)."""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from connectors.model import Passengers
from connectors.ndc import mapping
from connectors.ndc.datalists import data_lists, listed
from connectors.ndc.reading import path
from tests.unit.connectors.ndc.test_mapping import CRIMSON, SAMPLES, SOURCE, sample

LISTS = (
    "PaxList/Pax",
    "PaxSegmentList/PaxSegment",
    "PaxJourneyList/PaxJourney",
    "DatedMarketingSegmentList/DatedMarketingSegment",
    "DatedOperatingSegmentList/DatedOperatingSegment",
    "DatedOperatingLegList/DatedOperatingLeg",
    "BaggageAllowanceList/BaggageAllowance",
)
WITH_LISTS = sorted(p.name for p in SAMPLES.glob("*.xml") if b"<DataLists>" in p.read_bytes())


@pytest.mark.parametrize("name", WITH_LISTS)
def test_every_list_of_a_recorded_answer_holds_what_elementpath_found(name: str) -> None:
    response = sample(name).find(path("Response"))
    assert response is not None
    lists = data_lists(response)
    for steps in LISTS:
        assert listed(lists, steps) == list(response.iterfind(path(f"DataLists/{steps}"))), steps


def test_an_answer_without_datalists_has_empty_lists() -> None:
    response = etree.fromstring(f'<Response xmlns="{mapping.NS}"/>')
    assert [listed(data_lists(response), steps) for steps in LISTS] == [[]] * len(LISTS)


def _round_trip_with(repeat: str) -> etree._Element:
    """The round-trip answer with the list `repeat` ("DataLists" for all) once more after it,
    its passengers renamed and its segments moved to another airport."""
    root = sample("air_shopping_round_trip_rs.xml")
    steps = "Response/DataLists" if repeat == "DataLists" else f"Response/DataLists/{repeat}"
    original = root.find(path(steps))
    assert original is not None
    second = copy.deepcopy(original)
    for ptc in second.iter(f"{{{mapping.CNS}}}PTC"):
        ptc.text = "INF"
    for airport in second.iter(f"{{{mapping.CNS}}}IATA_LocationCode"):
        airport.text = "ZZZ"
    original.addnext(second)
    return root


@pytest.mark.parametrize("repeat", ["DataLists", "PaxList", "DatedMarketingSegmentList"])
def test_an_answer_repeating_a_list_is_read_from_the_first_of_it(repeat: str) -> None:
    [expected] = mapping.to_offers(
        sample("air_shopping_round_trip_rs.xml"), source=SOURCE, owner=CRIMSON
    )
    [offer] = mapping.to_offers(_round_trip_with(repeat), source=SOURCE, owner=CRIMSON)

    # ElementPath read both as one: infants added to the passengers, segments from ZZZ.
    assert offer == expected
    assert offer.passengers == Passengers(adults=2, children=1, infants=1)
    assert "ZZZ" not in {s.origin for sl in offer.slices for s in sl.segments}
