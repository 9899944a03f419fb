from __future__ import annotations

from pathlib import Path

import msgspec

from connectors.rest.seats import SeatMapsResponse as WireMaps
from connectors.rest.seats import to_seat_maps
from seats.view import (
    Element,
    parse_service_id,
    passenger_index,
    service_id,
    shape,
)

SAMPLE = Path(__file__).parents[1] / "connectors" / "rest" / "samples" / "seatmaps.json"


def _elements() -> dict[str, Element]:
    maps = to_seat_maps(msgspec.json.decode(SAMPLE.read_bytes(), type=WireMaps))
    (seat_map,) = shape(maps).seat_maps
    return {
        e.designator: e
        for c in seat_map.cabins
        for r in c.rows
        for s in r.sections
        for e in s.elements
        if e.designator is not None
    }


def test_each_seated_passenger_may_buy_a_free_seat_and_the_infant_none() -> None:
    window = next(
        e
        for e in _elements().values()
        if e.available and "window" in e.characteristics and "exit_row" not in e.characteristics
    )
    services = {s.passenger_id: s for s in window.available_services}
    assert set(services) == {"pas_1", "pas_2"}  # adult and child; the infant (pas_3) sits on a lap
    assert services["pas_1"].total_currency == "USD"
    parsed = parse_service_id(services["pas_2"].id)
    assert parsed is not None
    assert parsed[1:] == (window.designator, "pas_2")


def test_an_exit_row_is_offered_to_no_child_and_no_adult_with_an_infant() -> None:
    exit_seat = next(
        e for e in _elements().values() if e.available and "exit_row" in e.characteristics
    )
    assert exit_seat.available_services == ()  # the only adult carries the infant
    assert len(exit_seat.disclosures) == 2


def test_a_taken_seat_offers_nothing_and_the_map_discloses_its_rules() -> None:
    maps = to_seat_maps(msgspec.json.decode(SAMPLE.read_bytes(), type=WireMaps))
    (seat_map,) = shape(maps).seat_maps
    taken = next(e for e in _elements().values() if e.available is False)
    assert taken.available_services == ()
    assert any("children" in d for d in seat_map.disclosures)
    assert seat_map.segment_id == maps.legs[0].segment_id


def test_ids_round_trip_and_foreign_ones_are_refused() -> None:
    assert parse_service_id(service_id("seg_x", "14C", "pas_1")) == ("seg_x", "14C", "pas_1")
    assert parse_service_id("ase_!!!") is None
    assert parse_service_id("off_abc") is None
    assert passenger_index("pas_2") == 1
    assert passenger_index("pas_0") is None
    assert passenger_index("trv_1") is None


def test_every_seat_is_encoded_with_its_lists_even_empty_and_other_places_with_their_type() -> None:
    maps = to_seat_maps(msgspec.json.decode(SAMPLE.read_bytes(), type=WireMaps))
    encoded = msgspec.json.decode(msgspec.json.encode(shape(maps)))
    (cabin,) = encoded["seat_maps"][0]["cabins"]
    elements = [e for r in cabin["rows"] for s in r["sections"] for e in s["elements"]]

    taken = next(e for e in elements if e.get("available") is False)
    assert (taken["available_services"], taken["disclosures"]) == ([], [])
    assert all("characteristics" in e for e in elements if e["type"] == "seat")
    assert {tuple(e) for e in elements if e["type"] != "seat"} == {("type",)}
