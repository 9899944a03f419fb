"""The load of the gateway tests (tests/support/gateway_load.py) asks for flights the API sells,
however long a test runs."""

from __future__ import annotations

import itertools

from search.model import MAX_DAYS_AHEAD
from tests.support.gateway_load import order_days


def test_the_orders_flights_stay_within_the_booking_horizon_however_many_orders_are_made() -> None:
    days = list(itertools.islice(order_days(), 3 * MAX_DAYS_AHEAD))

    assert min(days) >= 1
    assert max(days) <= MAX_DAYS_AHEAD  # a later date is answered 422: no order made
    assert all(day != following for day, following in itertools.pairwise(days))
