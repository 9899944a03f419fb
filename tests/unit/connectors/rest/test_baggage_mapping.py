"""REST fares → domain baggage, on a shopping answer recorded from the sim's REST airlines:
britannia's and liberty's fares as recorded, the third (globetrotter's) with its legs' `baggage`
left out, as REST_API.md lets a seller that does not know its allowances send it."""

from __future__ import annotations

from pathlib import Path

import msgspec

from connectors.model import BaggageAllowance, Owner
from connectors.rest import mapping, wire

SAMPLE = Path(__file__).parent / "samples" / "shopping_baggage.json"


def _segments() -> list[tuple[str, tuple[BaggageAllowance, ...] | None]]:
    answer = msgspec.json.decode(SAMPLE.read_bytes(), type=wire.ShoppingResponse)
    offers = [mapping.to_offer(f, source="rest-x", owner=Owner("XX", "X")) for f in answer.fares]
    return [(s.flight_number, s.baggages) for o in offers for sl in o.slices for s in sl.segments]


def test_checked_bag_with_its_weight_and_carry_on_map_per_segment() -> None:
    flight, bags = _segments()[0]
    assert flight == "BA208"
    assert bags == (
        BaggageAllowance("checked", 1, max_weight_kg=23),
        BaggageAllowance("carry_on", 1),
    )


def test_zero_checked_pieces_leave_carry_on_only() -> None:
    flight, bags = _segments()[1]
    assert flight == "AA237"
    assert bags == (BaggageAllowance("carry_on", 1),)


def test_a_seller_that_does_not_say_leaves_baggage_unknown() -> None:
    _flight, bags = _segments()[2]
    assert bags is None


def test_nothing_included_is_an_empty_allowance_not_an_unknown_one() -> None:
    none_included = wire.Baggage(checked=wire.CheckedBags(0), cabin=wire.CabinBags(0))
    assert mapping.baggages(none_included) == ()
    assert mapping.baggages(wire.Baggage()) == ()
