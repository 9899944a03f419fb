from __future__ import annotations

import datetime as dt

import pytest

from sim.airline import SimAirline
from sim.errors import AirlineError
from sim.wire import BookingPassenger, BookingRequest, JourneyRequest, ShoppingRequest, Travellers
from sim.world import World
from tests.unit.sim.conftest import FakeClock


def shopping(
    days: int = 30, cabin: str = "Y", adults: int = 1, **fields: object
) -> ShoppingRequest:
    day = dt.date(2030, 3, 1) + dt.timedelta(days=days)
    values: dict[str, object] = {
        "journeys": (JourneyRequest("LHR", "JFK", day),),
        "travellers": Travellers(ADT=adults),
        "cabin": cabin,
    }
    values.update(fields)
    return ShoppingRequest(**values)  # type: ignore[arg-type]


def booking(fare_id: str, reference: str = "ord_1", adults: int = 1) -> BookingRequest:
    passenger = BookingPassenger("ADT", "Ada", "Lovelace", dt.date(1990, 12, 10), "F")
    return BookingRequest(fare_id, reference, (passenger,) * adults)


@pytest.fixture
def britannia(clock: FakeClock) -> SimAirline:
    return World(42, clock=clock).airlines["britannia"]


def test_shopping_is_deterministic_for_the_seed(clock: FakeClock) -> None:
    first = World(42, clock=clock).airlines["liberty"].shop(shopping())
    again = World(42, clock=clock).airlines["liberty"].shop(shopping())

    assert [q.fare_id for q in first] == [q.fare_id for q in again]
    assert [q.price.total for q in first] == sorted(q.price.total for q in first)


def test_business_costs_more_than_economy_and_next_week_more_than_next_quarter(
    britannia: SimAirline,
) -> None:
    economy = britannia.shop(shopping(days=90))[0]
    business = britannia.shop(shopping(days=90, cabin="C"))[0]
    soon = britannia.shop(shopping(days=7))[0]

    assert business.price.total > economy.price.total
    assert soon.price.total > economy.price.total


def test_dates_outside_the_sales_window_have_no_fares(britannia: SimAirline) -> None:
    assert britannia.shop(shopping(days=-1)) == []
    assert britannia.shop(shopping(days=362)) == []
    assert britannia.shop(shopping(days=361))


def test_unsupported_currency_is_refused(britannia: SimAirline) -> None:
    with pytest.raises(AirlineError) as caught:
        britannia.shop(shopping(currency="JPY"))

    assert (caught.value.status, caught.value.code) == (400, "unsupported_currency")


def test_a_quote_past_valid_until_is_expired(britannia: SimAirline, clock: FakeClock) -> None:
    quote = britannia.shop(shopping())[0]
    clock.advance(dt.timedelta(minutes=31))

    with pytest.raises(AirlineError) as caught:
        britannia.price(quote.fare_id)

    assert caught.value.code == "fare_expired"


def test_hold_expires_lazily_after_pay_by_and_its_seats_return(
    britannia: SimAirline, clock: FakeClock
) -> None:
    quote = britannia.shop(shopping(adults=2))[0]
    held, created = britannia.book(booking(quote.fare_id, adults=2))
    assert created
    assert held.pay_by == clock.now + dt.timedelta(hours=24)
    assert britannia.price(quote.fare_id)[0].seats_left == quote.seats_left - 2

    clock.advance(dt.timedelta(hours=24))

    assert britannia.retrieve("ord_1").status == "CANCELLED"
    with pytest.raises(AirlineError) as caught:
        britannia.ticket(held.locator)
    assert caught.value.code == "booking_cancelled"
    fresh = britannia.shop(shopping(adults=2))[0]
    assert fresh.seats_left == quote.seats_left


def test_pay_by_is_two_hours_before_a_close_departure(britannia: SimAirline) -> None:
    quote = britannia.shop(shopping(days=0))[0]
    held, _ = britannia.book(booking(quote.fare_id))

    assert held.pay_by == quote.journeys[0][0].depart_utc - dt.timedelta(hours=2)


def test_passengers_must_match_the_fare(britannia: SimAirline) -> None:
    quote = britannia.shop(shopping(adults=2))[0]

    with pytest.raises(AirlineError) as caught:
        britannia.book(booking(quote.fare_id, adults=1))

    assert (caught.value.status, caught.value.code) == (422, "invalid_passengers")


def test_a_flight_leaves_the_search_when_it_closes_for_sale_though_it_was_searched_before(
    britannia: SimAirline, clock: FakeClock
) -> None:
    before = britannia.shop(shopping(days=0))
    first = min(q.journeys[0][0].depart_utc for q in before)
    clock.now = first - dt.timedelta(hours=2, minutes=30)  # the last second it is sold
    assert first in {q.journeys[0][0].depart_utc for q in britannia.shop(shopping(days=0))}

    clock.advance(dt.timedelta(seconds=1))

    assert first not in {q.journeys[0][0].depart_utc for q in britannia.shop(shopping(days=0))}


def test_the_next_search_sees_the_seats_a_hold_took(britannia: SimAirline) -> None:
    quote = britannia.shop(shopping())[0]
    britannia.book(booking(quote.fare_id))

    again = britannia.shop(shopping())
    assert [q.seats_left for q in again if q.key.journeys == quote.key.journeys] == [
        quote.seats_left - 1
    ]
