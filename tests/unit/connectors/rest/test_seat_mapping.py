from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import msgspec

from connectors.rest.seats import SeatMapsResponse, to_seat_maps
from connectors.seat_model import SeatFacts

# Recorded from the REST sim: LHR-CDG on a 320 (business rows 1-6, economy from row 7).
SAMPLE = Path(__file__).parent / "samples" / "seatmaps.json"


def test_a_recorded_map_becomes_one_leg_with_its_passengers_and_every_seat() -> None:
    maps = to_seat_maps(msgspec.json.decode(SAMPLE.read_bytes(), type=SeatMapsResponse))

    assert maps.passengers == ("adult", "child", "infant")
    (leg,) = maps.legs
    assert (leg.carrier, leg.origin, leg.destination, leg.aircraft) == ("BA", "LHR", "CDG", "320")
    (cabin,) = leg.cabins
    assert cabin.cabin_class == "economy"
    assert cabin.aisles == 1
    seats = [p.seat for r in cabin.rows for s in r.sections for p in s if p.seat is not None]
    assert len(seats) == 150  # the 320's economy cabin, as the seat counts know it
    assert any(s.available for s in seats)
    assert any(not s.available for s in seats)
    assert leg.segment_id.startswith("seg_")


def test_facilities_exit_rows_and_wings_are_drawn_as_elements() -> None:
    maps = to_seat_maps(msgspec.json.decode(SAMPLE.read_bytes(), type=SeatMapsResponse))
    cabin = maps.legs[0].cabins[0]
    front = cabin.rows[0]
    assert front.number is None
    assert [s[0].type for s in front.sections] == ["galley", "lavatory"]
    exit_rows = [r for r in cabin.rows if r.sections and r.sections[0][0].type == "exit_row"]
    assert len(exit_rows) == 2
    for row in exit_rows:
        assert row.sections[-1][-1].type == "exit_row"
        seat = row.sections[0][1].seat
        assert seat is not None
        assert "exit_row" in seat.characteristics
        assert seat.restrictions == ("exit_row_child", "exit_row_infant")
    assert cabin.wings is not None
    assert cabin.wings[0] < cabin.wings[1]


def test_prices_are_per_passenger_type_and_the_middle_seat_is_free() -> None:
    maps = to_seat_maps(msgspec.json.decode(SAMPLE.read_bytes(), type=SeatMapsResponse))
    by_designator: dict[str, SeatFacts] = {
        p.seat.designator: p.seat
        for r in maps.legs[0].cabins[0].rows
        for s in r.sections
        for p in s
        if p.seat is not None
    }
    window = by_designator["8A"]
    assert window.characteristics == ("window",)
    assert window.prices == {"adult": Decimal("12.00"), "child": Decimal("9.00")}
    assert by_designator["8B"].prices == {"adult": Decimal("0.00"), "child": Decimal("0.00")}
    assert "extra_legroom" in by_designator["7A"].characteristics
