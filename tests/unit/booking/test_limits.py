"""Traveler limits and the hold window, as pure functions (booking/limits.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from booking.limits import (
    OpenHold,
    OrderLimits,
    check_limits,
    flights_of,
    held_change,
    payment_deadline,
)
from booking.model import Order, OrderSeat
from connectors.model import Hold
from kernel.errors import LimitReached
from tests.fakes import offer, segment
from tests.support.orders import stored_order

LIMITS = OrderLimits(max_open_holds=3, max_held_seats=10, max_held_seats_per_flight=6)
BA1 = ("BA1", dt.date(2030, 5, 1))
BA2 = ("BA2", dt.date(2030, 5, 1))


def _refused(held: list[OpenHold], new: OpenHold) -> LimitReached:
    with pytest.raises(LimitReached) as caught:
        check_limits(LIMITS, held, new)
    return caught.value


def test_an_order_within_every_limit_passes() -> None:
    check_limits(LIMITS, [OpenHold(frozenset({BA1}), 2)], OpenHold(frozenset({BA1}), 4))


def test_each_limit_is_named_with_its_value_and_what_is_held() -> None:
    three = [OpenHold(frozenset({BA2}), 1)] * 3
    assert _refused(three, OpenHold(frozenset({BA1}), 1)).extensions == {
        "limit": "open_holds", "maximum": 3, "current": 3,
    }  # fmt: skip
    two = [OpenHold(frozenset({BA2}), 4), OpenHold(frozenset({("BA3", BA1[1])}), 4)]
    assert _refused(two, OpenHold(frozenset({BA1}), 3)).extensions == {
        "limit": "held_seats", "maximum": 10, "current": 8,
    }  # fmt: skip
    both = [OpenHold(frozenset({BA1, BA2}), 5)]
    assert _refused(both, OpenHold(frozenset({BA2}), 2)).extensions == {
        "limit": "held_seats_per_flight", "maximum": 6, "current": 5,
    }  # fmt: skip


def test_the_same_flight_number_on_another_day_is_another_flight() -> None:
    tomorrow = ("BA1", dt.date(2030, 5, 2))

    check_limits(LIMITS, [OpenHold(frozenset({BA1}), 6)], OpenHold(frozenset({tomorrow}), 4))


def test_flights_are_every_segment_of_every_slice() -> None:
    trip = offer("1.00", [segment("BA1"), segment("BA2", "2030-05-01T18:00")], segment("BA3"))

    assert flights_of(trip.slices) == {BA1, BA2, ("BA3", dt.date(2030, 5, 1))}


CREATED = dt.datetime(2030, 4, 1, 12, 0, tzinfo=dt.UTC)
LONDON_EVENING = offer("1.00", segment("BA1", "2030-04-01T20:00")).slices  # 19:00 UTC (BST)


def test_a_hold_lasts_the_window_when_the_airline_allows_longer() -> None:
    airline = CREATED + dt.timedelta(hours=24)

    deadline = payment_deadline(airline, CREATED, 3 * 3600, offer().slices)

    assert deadline == CREATED + dt.timedelta(hours=3)


def test_the_airlines_own_limit_and_departure_cut_the_window_short() -> None:
    soon = CREATED + dt.timedelta(minutes=30)
    assert payment_deadline(soon, CREATED, 3 * 3600, offer().slices) == soon
    late = CREATED + dt.timedelta(hours=24)
    # Departs 20:00 London time, which is 19:00 UTC in April.
    assert payment_deadline(late, CREATED, 12 * 3600, LONDON_EVENING) == dt.datetime(
        2030, 4, 1, 19, 0, tzinfo=dt.UTC
    )


def test_a_cap_of_zero_is_no_cap() -> None:
    off = OrderLimits(max_open_holds=0, max_held_seats=0, max_held_seats_per_flight=0)
    many = [OpenHold(frozenset({BA1}), 9)] * 100

    check_limits(off, many, OpenHold(frozenset({BA1}), 9))
    assert not off.any
    assert LIMITS.any


def _pending(seats: tuple[OrderSeat, ...]) -> Order:
    return stored_order(
        total_amount=Decimal("100.00"),
        slices=offer().slices,
        created_at=CREATED,
        updated_at=CREATED,
        seats=seats,
    )


def test_a_held_change_carries_the_airlines_hold_with_the_seats_and_the_hold_window() -> None:
    seat = OrderSeat("s1", "p1", "12A", Decimal("25.00"), "USD")
    hold = Hold("ABC123", "ord_x", "held", Decimal("100.00"), "USD", CREATED + dt.timedelta(days=1))

    windowed = held_change(_pending((seat,)), hold, 3 * 3600, "held at the airline")
    unbounded = held_change(_pending(()), hold, None, "held at the airline")

    assert (windowed.from_status, windowed.to_status) == (("pending",), "held")
    assert windowed.airline_locator == "ABC123"
    assert windowed.payment_required_by == CREATED + dt.timedelta(hours=3)
    assert (windowed.total_amount, windowed.total_currency) == (Decimal("125.00"), "USD")
    assert unbounded.payment_required_by == hold.payment_required_by
    assert unbounded.total_amount == Decimal("100.00")
