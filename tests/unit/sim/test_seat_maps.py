from __future__ import annotations

import datetime as dt

import pytest

from sim.airline import SimAirline
from sim.cabins import layout
from sim.catalog import CAPACITY
from sim.errors import AirlineError
from sim.seat_sales import (
    SeatChoice,
    booking_seat_maps,
    booking_seats,
    choose_seats,
    fare_seat_maps,
)
from sim.wire import BookingPassenger, BookingRequest, JourneyRequest, ShoppingRequest, Travellers
from sim.world import World
from tests.unit.sim.conftest import FakeClock


@pytest.fixture
def britannia(clock: FakeClock) -> SimAirline:
    return World(42, clock=clock).airlines["britannia"]


def _fare(airline: SimAirline, adults: int = 1, children: int = 0, infants: int = 0) -> str:
    day = dt.date(2030, 3, 31)
    request = ShoppingRequest(
        journeys=(JourneyRequest("LHR", "JFK", day),),
        travellers=Travellers(ADT=adults, CHD=children, INF=infants),
        cabin="Y",
    )
    return airline.shop(request)[0].fare_id


def _book(airline: SimAirline, fare_id: str, reference: str, types: tuple[str, ...]) -> str:
    born = {"ADT": dt.date(1990, 1, 1), "CHD": dt.date(2022, 1, 1), "INF": dt.date(2029, 6, 1)}
    passengers = tuple(
        BookingPassenger(t, "Ada", "Lovelace", born[t], "F")  # type: ignore[arg-type]
        for t in types
    )
    booking, _ = airline.book(BookingRequest(fare_id, reference, passengers))
    return booking.locator


@pytest.mark.parametrize("equipment", sorted(CAPACITY))
def test_every_layout_seats_exactly_the_capacity_the_counts_use(equipment: str) -> None:
    for cabin in layout(equipment):
        assert len(cabin.spots) == CAPACITY[equipment][cabin.cabin]
        designators = [s.designator for s in cabin.spots]
        assert len(set(designators)) == len(designators)


def test_some_types_have_no_row_13_and_economy_has_exit_rows() -> None:
    rows = [r.number for c in layout("320") for r in c.rows]
    assert 13 not in rows
    assert 14 in rows
    assert 13 in [r.number for c in layout("321") for r in c.rows]
    economy = layout("320")[-1]
    assert any(r.exit_row for r in economy.rows)
    assert any(r.wing for r in economy.rows)
    assert economy.rows[0].facilities == ("galley", "lavatory")
    first = economy.rows[0].sections[0]
    assert first[0] is not None
    assert first[0].window
    assert first[-1] is not None
    assert first[-1].aisle


def test_the_map_shows_as_many_seats_taken_as_the_counts_sold(britannia: SimAirline) -> None:
    maps = fare_seat_maps(britannia, _fare(britannia))
    leg = maps.legs[0]
    inventory = britannia.inventory
    sold = inventory.capacity(leg.flight, "Y") - inventory.seats_left(leg.flight, leg.day, "Y")
    taken = sum(1 for s in leg.states.values() if s != "available")
    assert taken == sold


def test_a_chosen_seat_is_taken_for_every_seller_and_comes_back_on_cancel(clock: FakeClock) -> None:
    world = World(42, clock=clock)
    britannia = world.airlines["britannia"]
    locator = _book(britannia, _fare(britannia), "ord_1", ("ADT",))
    leg = booking_seat_maps(britannia, locator).legs[0]
    free = next(d for d, s in leg.states.items() if s == "available")

    choose_seats(britannia, locator, [SeatChoice(0, 0, free)])

    other = booking_seat_maps(britannia, locator).legs[0]
    assert other.mine == {free: 0}
    assert fare_seat_maps(britannia, _fare(britannia)).legs[0].states[free] == "occupied"
    assert booking_seats(britannia, britannia.booking(locator)) == (SeatChoice(0, 0, free),)
    britannia.cancel(locator)
    assert fare_seat_maps(britannia, _fare(britannia)).legs[0].states[free] == "available"


def test_the_second_traveller_choosing_a_seat_is_refused_naming_it(britannia: SimAirline) -> None:
    first = _book(britannia, _fare(britannia), "ord_1", ("ADT",))
    second = _book(britannia, _fare(britannia), "ord_2", ("ADT",))
    leg = booking_seat_maps(britannia, first).legs[0]
    free = next(d for d, s in leg.states.items() if s == "available")
    choose_seats(britannia, first, [SeatChoice(0, 0, free)])

    with pytest.raises(AirlineError) as refused:
        choose_seats(britannia, second, [SeatChoice(0, 0, free)])

    assert refused.value.status == 409
    assert free in refused.value.message


def test_an_exit_row_is_refused_to_a_child_and_to_an_adult_with_an_infant(
    britannia: SimAirline,
) -> None:
    fare = _fare(britannia, adults=1, children=1, infants=1)
    locator = _book(britannia, fare, "ord_1", ("ADT", "CHD", "INF"))
    leg = booking_seat_maps(britannia, locator).legs[0]
    exit_seats = [s.designator for s in leg.layout.spots if s.exit_row]
    free = next(d for d in exit_seats if leg.states[d] == "available")

    for passenger, rule in ((1, "exit_row_child"), (0, "exit_row_infant")):
        with pytest.raises(AirlineError) as refused:
            choose_seats(britannia, locator, [SeatChoice(0, passenger, free)])
        assert refused.value.status == 422
        assert rule in refused.value.message
    with pytest.raises(AirlineError):
        choose_seats(britannia, locator, [SeatChoice(0, 2, free)])  # an infant holds no seat
