"""NDC 21.3 SeatAvailabilityRS read into seat maps (pure; recorded by record_samples.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from connectors import errors
from connectors.ndc.seats import _sections, to_seat_maps

SAMPLES = Path(__file__).parent / "samples"


def _root(name: str) -> etree._Element:
    return etree.fromstring((SAMPLES / name).read_bytes())


def test_a_business_cabin_is_drawn_in_its_three_sections() -> None:
    maps = to_seat_maps(_root("seat_availability_rs.xml"), airline="ndc-crimson")

    assert maps.passengers == ("adult", "child", "infant")
    (leg,) = maps.legs
    assert (leg.flight_number, leg.origin, leg.destination, leg.aircraft) == (
        leg.carrier + leg.flight_number.removeprefix(leg.carrier),
        "LHR",
        "JFK",
        "789",
    )
    (cabin,) = leg.cabins
    assert cabin.cabin_class == "business"
    assert cabin.aisles == 2
    front, first = cabin.rows[0], cabin.rows[1]
    assert front.number is None
    assert [p.type for p in front.sections[0]] == ["galley"]
    assert [p.type for p in front.sections[-1]] == ["lavatory"]
    assert [[p.seat.designator if p.seat else p.type for p in s] for s in first.sections] == [
        ["1A"],
        ["1D", "1G"],
        ["1K"],
    ]
    seats = [p.seat for r in cabin.rows for s in r.sections for p in s if p.seat is not None]
    assert len(seats) == 42  # the 789's business cabin, as the seat counts know it
    free = [s for s in seats if s.available]
    assert free
    assert all(s.prices == {"adult": Decimal("0.00"), "child": Decimal("0.00")} for s in free)
    assert {"window", "aisle"} <= set(seats[0].characteristics)


def test_sections_split_at_aisles_from_the_column_codes() -> None:
    w, a, wa, c = frozenset("W"), frozenset("A"), frozenset("WA"), frozenset("9")
    economy = [("A", w), ("B", c), ("C", a), ("D", a), ("E", c), ("F", w)]
    assert _sections(economy) == [["A", "B", "C"], ["D", "E", "F"]]
    ten = [("A", w), ("B", c), ("C", a), ("D", a), ("E", c), ("F", c), ("G", a), ("H", a)]
    assert _sections([*ten, ("J", c), ("K", w)]) == [
        ["A", "B", "C"],
        ["D", "E", "F", "G"],
        ["H", "J", "K"],
    ]
    first = [("A", wa), ("E", a), ("F", a), ("K", wa)]
    assert _sections(first) == [["A"], ["E", "F"], ["K"]]


def test_an_error_response_is_the_airlines_refusal() -> None:
    with pytest.raises(errors.OfferExpired):
        to_seat_maps(_root("error_offer_expired_rs.xml"), airline="ndc-crimson")
