"""A change's new slice checked against the order it changes (pure): its slice, its cabin, and
where its date falls among the order's other slices."""

from __future__ import annotations

import datetime as dt

import pytest

from booking.change_terms import SliceSearch
from booking.change_validation import check_against_order, parse_search
from booking.model import Order
from connectors.model import Segment, Slice
from kernel.errors import ValidationFailed
from tests.support.orders import stored_order

OUT = dt.datetime(2030, 3, 10, 17, 45)
BACK = dt.datetime(2030, 3, 17, 11, 25)


def _slice(origin: str, destination: str, departs: dt.datetime) -> Slice:
    arrives = departs + dt.timedelta(hours=8)
    segment = Segment("BA", "BA117", origin, destination, departs, arrives, "777", "economy")
    return Slice(origin, destination, "PT8H", (segment,))


def _round_trip() -> Order:
    return stored_order(slices=(_slice("LHR", "JFK", OUT), _slice("JFK", "LHR", BACK)))


def _search(index: int, day: dt.date) -> SliceSearch:
    origin, destination = ("LHR", "JFK") if index == 0 else ("JFK", "LHR")
    return SliceSearch(
        slice_index=index, origin=origin, destination=destination, departure_date=day
    )


@pytest.mark.parametrize(
    ("index", "day", "message"),
    [
        (1, OUT.date() - dt.timedelta(days=5), "must not be before slice 0's date (2030-03-10)"),
        (0, BACK.date() + dt.timedelta(days=3), "must not be after slice 1's date (2030-03-17)"),
    ],
)
def test_a_return_moved_before_the_outbound_or_an_outbound_after_the_return_is_named(
    index: int, day: dt.date, message: str
) -> None:
    # Both were quoted (201) and could be confirmed: a return leaving before the outbound.
    with pytest.raises(ValidationFailed) as failed:
        check_against_order(_search(index, day), _round_trip())
    assert [(e.field, e.message) for e in failed.value.errors] == [("departure_date", message)]


@pytest.mark.parametrize(
    ("index", "day"),
    [(1, OUT.date()), (0, BACK.date()), (1, BACK.date() + dt.timedelta(days=30))],
)
def test_a_slice_may_move_up_to_the_day_of_its_neighbours_and_the_last_one_anywhere_later(
    index: int, day: dt.date
) -> None:
    check_against_order(_search(index, day), _round_trip())


def test_a_change_search_missing_every_field_is_told_each_is_required() -> None:
    # A slice_index left out read "must be an integer", as if something else had been sent.
    with pytest.raises(ValidationFailed) as caught:
        parse_search({}, today=OUT.date() - dt.timedelta(days=30))

    assert {e.field: e.message for e in caught.value.errors} == {
        "slice_index": "required",
        "origin": "required",
        "destination": "required",
        "departure_date": "required",
    }
