"""The exit-row rule follows the lap an order records, not the first adult (pure).

Two adults and an infant, the second adult holding the infant (`infant_passenger_id` on
pas_2): the exit row is closed to pas_2 and open to pas_1, in the price check of a choice
(booking/seat_pricing.py) and in the order's seat map (seats/view.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from booking.laps import lap_holders
from booking.model import Passenger
from booking.seat_pricing import priced
from connectors.seat_model import (
    CabinMap,
    LegSeatMap,
    Place,
    SeatFacts,
    SeatMaps,
    SeatRow,
    SeatSelection,
)
from kernel.errors import ValidationFailed
from seats.view import shape

PASSENGERS = (
    Passenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 1), "f"),
    Passenger("adult", "Charles", "Babbage", dt.date(1988, 1, 1), "m", infant_passenger_id="pas_3"),
    Passenger("infant", "Tim", "Babbage", dt.date(2029, 6, 1), "m"),
)
EXIT = SeatFacts(
    "14A",
    True,
    ("window", "exit_row"),
    {"adult": Decimal("45.00"), "child": Decimal("34.00")},
    ("exit_row_child", "exit_row_infant"),
)
MAPS = SeatMaps(
    passengers=("adult", "adult", "infant"),
    legs=(
        LegSeatMap(
            "BA",
            "BA117",
            "LHR",
            "JFK",
            dt.date(2030, 3, 10),
            "777",
            "USD",
            (CabinMap("economy", 2, None, (SeatRow(14, ((Place("seat", EXIT),),)),)),),
        ),
    ),
)
TYPES = [p.type for p in PASSENGERS]


def test_the_order_records_the_second_adult_as_the_one_holding_the_infant() -> None:
    assert lap_holders(PASSENGERS) == frozenset({1})


def test_the_exit_row_is_refused_to_the_adult_who_holds_the_infant() -> None:
    with pytest.raises(ValidationFailed) as refused:
        priced(TYPES, MAPS, [SeatSelection(0, 1, "14A")], lap_holders(PASSENGERS))
    (error,) = refused.value.errors
    assert error.field == "services[0].designator"
    assert error.message.startswith("exit_row_infant")


def test_the_exit_row_is_allowed_to_the_other_adult() -> None:
    prices, taken = priced(TYPES, MAPS, [SeatSelection(0, 0, "14A")], lap_holders(PASSENGERS))
    assert (prices, taken) == ([Decimal("45.00")], [])


def test_the_order_seat_map_offers_the_exit_row_to_the_other_adult_only() -> None:
    (seat_map,) = shape(MAPS, lap_holders(PASSENGERS)).seat_maps
    (element,) = seat_map.cabins[0].rows[0].sections[0].elements
    assert [s.passenger_id for s in element.available_services] == ["pas_1"]
    # An offer's map, with nobody to ask, closes it to the first adult as orders pair by default.
    (offer_map,) = shape(MAPS).seat_maps
    (element,) = offer_map.cabins[0].rows[0].sections[0].elements
    assert [s.passenger_id for s in element.available_services] == ["pas_2"]
