import datetime as dt

import pytest

from connectors.model import (
    FlightQuery,
    Passengers,
    SliceQuery,
    iso_duration,
    parse_iso_duration,
    serves_route,
)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "PT0M"),
        (45, "PT45M"),
        (60, "PT1H"),
        (490, "PT8H10M"),
        (1440, "P1D"),
        (1530, "P1DT1H30M"),
    ],
)
def test_iso_duration_formats_and_parses_back(minutes: int, text: str) -> None:
    assert iso_duration(minutes) == text
    assert parse_iso_duration(text) == minutes


def test_infants_do_not_take_a_seat() -> None:
    pax = Passengers(adults=2, children=1, infants=1)
    assert pax.seated == 3
    assert pax.total == 4


def _query(*legs: tuple[str, str]) -> FlightQuery:
    day = dt.date(2026, 12, 20)
    return FlightQuery(
        slices=tuple(SliceQuery(origin=o, destination=d, departure_date=day) for o, d in legs),
        passengers=Passengers(),
    )


def test_an_airline_serves_a_query_only_when_it_sells_every_slices_airports() -> None:
    airports = frozenset({"LHR", "JFK", "CDG"})

    assert serves_route(airports, _query(("LHR", "JFK"), ("JFK", "LHR")))
    assert not serves_route(airports, _query(("LHR", "JFK"), ("JFK", "SFO")))


def test_an_airline_whose_network_is_unknown_is_asked_for_everything() -> None:
    assert serves_route(None, _query(("LHR", "SYD")))
