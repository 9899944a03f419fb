from __future__ import annotations

import datetime as dt

from sim.catalog import operators
from sim.journeys import MAX_CONNECTION, MIN_CONNECTION, connects, journeys
from sim.schedule import Schedule, block_minutes, build_schedule, leg_instance
from tests.unit.sim.conftest import airport, flight

LHR = airport("LHR", "Europe/London")
JFK = airport("JFK", "America/New_York")
NRT = airport("NRT", "Asia/Tokyo")
HNL = airport("HNL", "Pacific/Honolulu")
WINTER = dt.date(2026, 12, 20)


def test_schedule_is_the_same_for_the_same_seed_and_differs_for_another(
    schedule: Schedule,
) -> None:
    again = build_schedule(42, operators(), schedule.airports)
    other = build_schedule(7, operators(), schedule.airports)

    assert again.flights == schedule.flights
    assert other.flights != schedule.flights


def test_flight_numbers_are_unique_per_carrier(schedule: Schedule) -> None:
    keys = [(f.carrier, f.number) for f in schedule.flights]

    assert len(keys) == len(set(keys))


def test_westbound_day_flight_lands_the_same_local_day() -> None:
    leg = leg_instance(flight("LHR", "JFK", "08:25", 490), WINTER, LHR, JFK)

    assert leg.depart_utc == dt.datetime(2026, 12, 20, 8, 25, tzinfo=dt.UTC)
    assert leg.arrive_utc == dt.datetime(2026, 12, 20, 16, 35, tzinfo=dt.UTC)
    assert leg.arrive_local == dt.datetime(2026, 12, 20, 11, 35)


def test_eastbound_overnight_flight_lands_the_next_local_day() -> None:
    leg = leg_instance(flight("JFK", "LHR", "19:00", 420), WINTER, JFK, LHR)

    assert leg.depart_utc == dt.datetime(2026, 12, 21, 0, 0, tzinfo=dt.UTC)
    assert leg.arrive_local == dt.datetime(2026, 12, 21, 7, 0)


def test_summer_time_moves_utc_but_not_the_local_departure() -> None:
    summer = leg_instance(flight("LHR", "JFK", "08:25", 490), dt.date(2026, 7, 1), LHR, JFK)

    assert summer.depart_local == dt.datetime(2026, 7, 1, 8, 25)
    assert summer.depart_utc == dt.datetime(2026, 7, 1, 7, 25, tzinfo=dt.UTC)
    assert summer.arrive_local == dt.datetime(2026, 7, 1, 11, 35)


def test_eastbound_date_line_crossing_lands_the_previous_local_day() -> None:
    leg = leg_instance(flight("NRT", "HNL", "08:00", 420), dt.date(2027, 1, 10), NRT, HNL)

    assert leg.arrive_local == dt.datetime(2027, 1, 9, 20, 0)


def test_network_westbound_date_line_crossing_lands_a_later_local_day(
    schedule: Schedule,
) -> None:
    for f in schedule.on_route("AA", "DFW", "SYD"):
        leg = schedule.instance(f, WINTER)
        assert leg.arrive_local.date() >= leg.depart_local.date() + dt.timedelta(days=1)


def test_every_flight_local_times_agree_with_utc_and_block_time(schedule: Schedule) -> None:
    for f in schedule.flights:
        leg = schedule.instance(f, WINTER)
        origin, destination = schedule.airports[f.origin], schedule.airports[f.destination]
        assert leg.depart_utc.astimezone(origin.zone).replace(tzinfo=None) == leg.depart_local
        assert leg.arrive_utc.astimezone(destination.zone).replace(tzinfo=None) == leg.arrive_local
        assert leg.arrive_utc - leg.depart_utc == dt.timedelta(minutes=f.block_minutes)


def test_block_time_grows_with_distance_and_east_is_faster() -> None:
    assert block_minutes(600, 0) < block_minutes(3000, 0) < block_minutes(10000, 0)
    assert block_minutes(5500, 1) < block_minutes(5500, -1)
    assert all(block_minutes(d, 0) % 5 == 0 for d in (333, 1234, 7777))


def test_block_time_of_real_routes_is_plausible(schedule: Schedule) -> None:
    westbound = schedule.on_route("BA", "LHR", "JFK")[0].block_minutes
    eastbound = schedule.on_route("BA", "JFK", "LHR")[0].block_minutes
    short = schedule.on_route("BA", "LHR", "FRA")[0].block_minutes

    assert 7 * 60 <= westbound <= 9 * 60
    assert 6 * 60 <= eastbound < westbound
    assert 75 <= short <= 120


def test_connections_respect_the_minimum_and_maximum_connection_time() -> None:
    first = leg_instance(flight("LHR", "JFK", "08:00", 480), WINTER, LHR, JFK)
    too_soon = leg_instance(flight("JFK", "LHR", "11:59", 400), WINTER, JFK, LHR)
    just_in_time = leg_instance(flight("JFK", "LHR", "12:00", 400), WINTER, JFK, LHR)
    last = leg_instance(flight("JFK", "LHR", "17:00", 400), WINTER, JFK, LHR)
    too_late = leg_instance(flight("JFK", "LHR", "17:05", 400), WINTER, JFK, LHR)

    assert (just_in_time.depart_utc - first.arrive_utc) == MIN_CONNECTION
    assert (last.depart_utc - first.arrive_utc) == MAX_CONNECTION
    assert [connects(first, x) for x in (too_soon, just_in_time, last, too_late)] == [
        False,
        True,
        True,
        False,
    ]


def test_one_stop_journeys_connect_at_a_hub_and_max_stops_zero_keeps_nonstops(
    schedule: Schedule,
) -> None:
    hubs = ("JFK", "DFW", "ORD", "MIA")
    found = journeys(schedule, "AA", hubs, "LHR", "SFO", WINTER, max_stops=1)
    nonstop_only = journeys(schedule, "AA", hubs, "LHR", "SFO", WINTER, max_stops=0)

    assert found
    assert nonstop_only == []
    for first, second in found:
        assert first.flight.destination == second.flight.origin
        assert first.flight.destination in hubs
        assert connects(first, second)
