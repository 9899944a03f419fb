"""When a slice has left, judged in UTC from its airport's local time: the cut-off for cancelling
a trip and changing a slice."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from booking.departures import check_not_begun, departure_utc, has_left
from connectors.model import Segment, Slice
from kernel.auth import Principal
from kernel.errors import Conflict
from tests.unit.booking.test_cancellation_terms import order

LOCAL = dt.datetime(2027, 1, 10, 8, 25)
TRAVELER = Principal(subject="alice")
AGENT = Principal(subject="agent-7", roles=frozenset({"support"}))


def leaving(origin: str) -> Slice:
    segment = Segment("BA", "BA117", origin, "JFK", LOCAL, LOCAL, "777", "economy")
    return Slice(origin, "JFK", "PT8H", (segment,))


def test_a_local_departure_is_made_utc_by_its_airports_zone() -> None:
    assert departure_utc(leaving("LHR")) == dt.datetime(2027, 1, 10, 8, 25, tzinfo=dt.UTC)
    assert departure_utc(leaving("SYD")) == dt.datetime(2027, 1, 9, 21, 25, tzinfo=dt.UTC)
    assert not has_left(leaving("SYD"), dt.datetime(2027, 1, 9, 21, 24, tzinfo=dt.UTC))
    assert has_left(leaving("SYD"), dt.datetime(2027, 1, 9, 21, 25, tzinfo=dt.UTC))


def test_an_airport_of_unknown_zone_has_left_only_once_it_surely_has() -> None:
    unknown = leaving("QQQ")
    assert not has_left(unknown, dt.datetime(2027, 1, 10, 20, 24, tzinfo=dt.UTC))
    assert has_left(unknown, dt.datetime(2027, 1, 10, 20, 25, tzinfo=dt.UTC))


def test_a_trip_whose_first_flight_left_cannot_be_cancelled() -> None:
    booked = msgspec.structs.replace(order(), slices=(leaving("LHR"),))
    first = LOCAL.replace(tzinfo=dt.UTC)  # LHR: UTC in winter
    check_not_begun(TRAVELER, booked, first - dt.timedelta(minutes=1))
    with pytest.raises(Conflict, match="has left") as refused:
        check_not_begun(TRAVELER, booked, first)
    assert refused.value.extensions == {"departed_at": first}  # tells this 409 from the others
    check_not_begun(AGENT, booked, first)  # support settles a trip that has begun
