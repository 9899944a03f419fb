"""The traffic mix the locust users draw from."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from bench import traffic

TODAY = dt.date(2026, 11, 24)


def _trips(count: int, seed: int = 3) -> list[traffic.Trip]:
    rng = random.Random(seed)
    return [traffic.plan_trip(rng, TODAY) for _ in range(count)]


def test_the_same_seed_plans_the_same_trips() -> None:
    assert _trips(50) == _trips(50)
    assert _trips(50) != _trips(50, seed=4)


def test_popular_routes_take_most_searches_and_the_first_most_of_all() -> None:
    routes = Counter(trip.slices[0][:2] for trip in _trips(5000))
    popular = sum(routes[r] for r in traffic.POPULAR)
    assert popular / 5000 == pytest.approx(traffic.POPULAR_SHARE, abs=0.03)
    assert routes.most_common(1)[0][0] == traffic.POPULAR[0]
    assert len(routes) > 150  # and a long tail of rarely asked pairs


def test_trip_kinds_follow_the_mix_and_have_their_slices() -> None:
    trips = _trips(5000)
    kinds = Counter(trip.kind for trip in trips)
    for kind, share in traffic.TRIP_KINDS:
        assert kinds[kind] / 5000 == pytest.approx(share, abs=0.03)
    for trip in trips:
        assert len(trip.slices) == (1 if trip.kind == "one-way" else 2)
        if trip.kind == "return":
            assert trip.slices[1][:2] == trip.slices[0][:2][::-1]
        if len(trip.slices) == 2:
            assert trip.slices[0][1] == trip.slices[1][0]  # the second leaves where the first lands
            assert trip.slices[1][2] > trip.slices[0][2]


def test_dates_are_within_the_booking_horizon_and_popular_ones_within_a_month() -> None:
    for trip in _trips(2000):
        first = trip.slices[0]
        days = (first[2] - TODAY).days
        assert 1 <= days <= traffic.TAIL_DAYS
        if first[:2] in traffic.POPULAR:
            assert days <= traffic.POPULAR_DAYS
        assert all(origin != destination for origin, destination, _ in trip.slices)


def test_the_long_tail_is_every_flown_pair_but_the_popular_ones() -> None:
    tail = traffic.long_tail()
    assert not set(tail) & set(traffic.POPULAR)
    assert ("LHR", "GRU") in tail
    assert ("GRU", "LHR") in tail


def test_search_bodies_and_queries_follow_the_api() -> None:
    trip = traffic.Trip(
        "return", (("LHR", "JFK", TODAY), ("JFK", "LHR", TODAY)), 2, 1, 0, "business"
    )
    body = traffic.search_body(trip)
    assert body["passengers"] == {"adults": 2, "children": 1, "infants": 0}
    assert body["slices"][1] == {
        "origin": "JFK",
        "destination": "LHR",
        "departure_date": "2026-11-24",
    }
    query = traffic.search_query(trip)
    assert query["return_date"] == "2026-11-24"
    assert (query["adults"], query["children"], query["cabin_class"]) == ("2", "1", "business")
    one_adult = traffic.Trip("one-way", (("LHR", "JFK", TODAY),), 1, 0, 0, "economy")
    assert set(traffic.search_query(one_adult)) == {"origin", "destination", "departure_date"}


def test_a_multi_city_trip_has_no_get_form() -> None:
    trip = traffic.Trip(
        "multi-city", (("LHR", "JFK", TODAY), ("JFK", "LAX", TODAY)), 1, 0, 0, "economy"
    )
    with pytest.raises(ValueError, match="multi-city"):
        traffic.search_query(trip)


def test_passengers_match_the_party_with_ages_that_fit_their_type() -> None:
    party = traffic.passengers(2, 1, 1, TODAY)
    assert [p["type"] for p in party] == ["adult", "adult", "child", "infant"]
    ages = [TODAY.year - dt.date.fromisoformat(p["born_on"]).year for p in party]
    assert ages[0] >= 18
    assert 2 <= ages[2] < 12
    assert ages[3] < 2
    assert all(p["given_name"].isalpha() for p in party)  # the API allows letters only


def test_bulk_and_calendar_queries_ask_popular_routes() -> None:
    rng = random.Random(1)
    queries = traffic.bulk_queries(rng, TODAY, 100)
    assert len(queries) == 100
    assert all((q["origin"], q["destination"]) in traffic.POPULAR for q in queries)
    month = traffic.calendar_query(rng, TODAY)["month"]
    assert month in ("2026-11", "2026-12")
