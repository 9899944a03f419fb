"""Which adult holds which infant in a sim booking request (sim/laps.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.errors import AirlineError
from sim.laps import lap_pairs
from sim.wire import BookingPassenger, BookingRequest

BORN = {"ADT": dt.date(1990, 1, 1), "CHD": dt.date(2022, 1, 1), "INF": dt.date(2029, 6, 1)}


def _request(*passengers: tuple[str, int | None]) -> BookingRequest:
    return BookingRequest(
        "fare",
        "ord_1",
        tuple(
            BookingPassenger(t, "Ada", "Lovelace", BORN[t], "F", lap_infant=lap)  # type: ignore[arg-type]
            for t, lap in passengers
        ),
    )


def test_infants_nobody_names_sit_on_the_first_adults_laps_in_order() -> None:
    request = _request(("ADT", None), ("ADT", None), ("INF", None), ("INF", None))
    assert lap_pairs(request) == ((0, 2), (1, 3))


def test_a_named_lap_is_recorded_and_the_rest_go_to_the_adults_who_name_none() -> None:
    request = _request(("ADT", None), ("ADT", 3), ("ADT", None), ("INF", None), ("INF", None))
    assert lap_pairs(request) == ((0, 4), (1, 3))


@pytest.mark.parametrize(
    "passengers",
    [
        (("ADT", None), ("CHD", 2), ("INF", None)),  # a child holds no infant
        (("ADT", 1), ("ADT", None)),  # not an infant
        (("ADT", 2), ("ADT", 2), ("INF", None)),  # one adult per infant
        (("ADT", 5), ("INF", None)),  # no such passenger
    ],
)
def test_a_pairing_that_cannot_be_is_refused(
    passengers: tuple[tuple[str, int | None], ...],
) -> None:
    with pytest.raises(AirlineError) as refused:
        lap_pairs(_request(*passengers))
    assert (refused.value.status, refused.value.code) == (422, "invalid_passengers")
