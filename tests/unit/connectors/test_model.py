import datetime as dt

import msgspec
import pytest

from connectors.model import (
    BaggageAllowance,
    FlightQuery,
    Passengers,
    Segment,
    Slice,
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


def test_offers_encoded_before_baggage_existed_decode_and_encode_back_unchanged() -> None:
    # Cache entries and order rows written by the code before `baggages` hold segments
    # without the field: they decode as "not reported" and encode to the very same bytes.
    segment = {
        "marketing_carrier": "BA", "flight_number": "BA117", "origin": "LHR",
        "destination": "JFK", "departing_at": "2026-12-20T08:25:00",
        "arriving_at": "2026-12-20T11:35:00", "aircraft": "777", "cabin_class": "economy",
    }  # fmt: skip
    old = msgspec.json.encode({"origin": "LHR", "destination": "JFK", "duration": "PT8H10M",
                               "segments": [segment]})  # fmt: skip
    decoded = msgspec.json.decode(old, type=Slice)
    assert decoded.segments[0].baggages is None
    assert msgspec.json.encode(decoded) == old


def test_baggage_is_encoded_only_when_the_airline_stated_it() -> None:
    segment = Segment(
        "BA", "BA117", "LHR", "JFK", dt.datetime(2026, 12, 20, 8, 25),
        dt.datetime(2026, 12, 20, 11, 35), "777", "economy",
        baggages=(BaggageAllowance("checked", 1, 23), BaggageAllowance("carry_on", 1)),
    )  # fmt: skip
    assert msgspec.json.decode(msgspec.json.encode(segment))["baggages"] == [
        {"type": "checked", "quantity": 1, "max_weight_kg": 23},
        {"type": "carry_on", "quantity": 1},
    ]
    nothing = msgspec.structs.replace(segment, baggages=())
    assert msgspec.json.decode(msgspec.json.encode(nothing))["baggages"] == []
