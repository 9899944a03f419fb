"""The sim airline reads NDC 21.3 requests however their author spelled what the schema allows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from sim import errors
from sim.ndc import requests
from sim.ndc.xml import CNS

BY_HAND = Path(__file__).parents[2] / "data" / "ndc" / "air_shopping_rq_by_hand.xml"


def by_hand() -> etree._Element:
    return etree.parse(str(BY_HAND)).getroot()


def test_the_hand_written_request_reads_as_a_round_trip_for_two_adults() -> None:
    wanted = requests.shopping_request(by_hand())

    out, back = wanted.journeys
    assert (out.origin, out.destination, out.date) == ("LHR", "JFK", dt.date(2027, 1, 14))
    assert (back.origin, back.destination, back.date) == ("JFK", "LHR", dt.date(2027, 1, 28))
    assert (wanted.travellers.ADT, wanted.travellers.CHD, wanted.travellers.INF) == (2, 0, 0)
    assert (wanted.cabin, wanted.currency, wanted.max_stops) == ("Y", "GBP", 1)


@pytest.mark.parametrize(("code", "cabin"), [("J", "C"), ("M", "Y"), ("F", "F")])
def test_common_cabin_codes_map_to_the_sales_system_s(code: str, cabin: str) -> None:
    root = by_hand()
    [element] = root.iter(f"{{{CNS}}}CabinTypeCode")
    element.text = code

    assert requests.shopping_request(root).cabin == cabin


def test_a_passenger_type_not_sold_is_a_bad_request_naming_it() -> None:
    root = by_hand()
    first = next(root.iter(f"{{{CNS}}}PTC"))
    first.text = "YTH"

    with pytest.raises(errors.AirlineError, match="YTH") as raised:
        requests.shopping_request(root)
    assert raised.value.code == "bad_request"


def test_only_origin_destination_shopping_is_served() -> None:
    root = by_hand()
    [criteria] = root.iter(f"{{{CNS}}}FlightRequestOriginDestinationsCriteria")
    criteria.tag = f"{{{CNS}}}FlightRequestSpecificOriginDestinations"

    with pytest.raises(errors.AirlineError, match="FlightRequestOriginDestinationsCriteria"):
        requests.shopping_request(root)
