"""AirShoppingRQ from templates: the bytes a search sends are the ones lxml builds."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.model import CabinClass, FlightQuery, Passengers, SliceQuery
from connectors.ndc import messages, shopping_template

DAY = dt.date(2027, 3, 1)
CABINS: tuple[CabinClass, ...] = ("economy", "premium_economy", "business", "first")


def _query(slices: int, passengers: Passengers, i: int) -> FlightQuery:
    legs = tuple(
        SliceQuery(
            ("LHR", "JFK", "CDG")[n % 3], ("JFK", "LHR", "FRA")[n % 3], DAY + dt.timedelta(i + n)
        )
        for n in range(slices)
    )
    return FlightQuery(
        slices=legs,
        passengers=passengers,
        cabin_class=CABINS[i % 4],
        max_connections=i % 3,
        currency=("USD", "GBP", "EUR")[i % 3],
    )


@pytest.mark.parametrize("slices", [1, 2, 3])
@pytest.mark.parametrize(
    "passengers",
    [Passengers(), Passengers(adults=2, children=1, infants=1), Passengers(adults=3, children=2)],
)
def test_the_template_sends_the_bytes_lxml_builds(slices: int, passengers: Passengers) -> None:
    for i in range(12):
        query = _query(slices, passengers, i)
        for carrier in ("CR", "crimson-air"):
            assert shopping_template.air_shopping_bytes(
                query, carrier=carrier
            ) == messages.air_shopping(query, carrier=carrier)


def test_one_lxml_build_per_shape() -> None:
    shopping_template.template.cache_clear()
    for i in range(20):
        shopping_template.air_shopping_bytes(_query(1, Passengers(), i), carrier="CR")
        shopping_template.air_shopping_bytes(_query(2, Passengers(adults=2), i), carrier="CR")
    assert shopping_template.template.cache_info().misses == 2


@pytest.mark.parametrize("carrier", ["A&B", "<CR>", "Crimsön"])
def test_text_xml_would_escape_is_built_by_lxml(carrier: str) -> None:
    query = _query(1, Passengers(), 0)
    shopping_template.template.cache_clear()
    sent = shopping_template.air_shopping_bytes(query, carrier=carrier)
    assert sent == messages.air_shopping(query, carrier=carrier)
    assert shopping_template.template.cache_info().misses == 0


def test_text_lxml_refuses_is_still_refused() -> None:
    with pytest.raises(ValueError, match="XML compatible"):
        shopping_template.air_shopping_bytes(_query(1, Passengers(), 0), carrier="C\x00R")
