from __future__ import annotations

from skyfare.launch import ready_line
from skyfare.settings import load_settings


def test_the_booking_services_ready_line_tries_a_route_it_serves() -> None:
    # It offered a search, which the booking service answers with a 404.
    line = ready_line(load_settings({"SKYFARE_PORT": "8090"}), with_sim=False, service="booking")
    assert line.startswith("Skyfare booking service ready on http://127.0.0.1:8090")
    assert "/v1/search" not in line
    assert line.endswith('curl -s "http://127.0.0.1:8090/readyz"')


def test_the_search_services_ready_line_tries_a_search() -> None:
    line = ready_line(load_settings({}), with_sim=False, service="search")
    assert '"http://127.0.0.1:8080/v1/search?origin=LHR&destination=JFK&departure_date=' in line
