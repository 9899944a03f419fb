"""List cursors: opaque, round-tripping positions; anything else is refused naming `after`. The
list's filters: `status` (visible statuses, comma-separated) and `in_flight` (true or false)."""

from __future__ import annotations

import datetime as dt

import pytest

from booking.model import is_order_id
from booking.pagination import EVERY_ORDER, LIMIT_DEFAULT, OrderFilter, parse_page
from kernel.cursors import Position, encode_cursor
from kernel.cursors import decode_cursor as decode_any
from kernel.errors import ValidationFailed

AT = dt.datetime(2026, 11, 25, 10, 30, 15, 123456, tzinfo=dt.UTC)


def decode_cursor(cursor: str) -> Position | None:
    return decode_any(cursor, is_order_id)


def test_a_cursor_round_trips_its_position_to_the_microsecond() -> None:
    position = Position(AT, "ord_0123456789abcdef01234567")

    assert decode_cursor(encode_cursor(position)) == position


def test_cursors_are_url_safe() -> None:
    cursor = encode_cursor(Position(AT, "ord_ffffffffffffffffffffffff"))

    assert all(c.isalnum() or c in "-_" for c in cursor)


@pytest.mark.parametrize(
    "cursor",
    ["", "nonsense", "!!!", "MTIzOm5vdC1hbi1vcmRlcg", "YWJjOm9yZF94", "x" * 500],
    ids=["empty", "not base64", "symbols", "not an order id", "not a number", "too long"],
)
def test_anything_but_a_cursor_is_not_a_position(cursor: str) -> None:
    assert decode_cursor(cursor) is None


def test_the_default_page_is_twenty_from_the_newest() -> None:
    assert parse_page({}.items()) == (LIMIT_DEFAULT, None, EVERY_ORDER)


def test_every_bad_parameter_is_named_at_once() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_page({"limit": "0", "after": "nonsense", "sort": "asc"}.items())

    fields = {e.field for e in caught.value.errors}
    assert fields == {"query.limit", "query.after", "query.sort"}


@pytest.mark.parametrize("limit", ["1", "200"])
def test_limits_from_one_to_two_hundred_are_accepted(limit: str) -> None:
    assert parse_page({"limit": limit}.items())[0] == int(limit)


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "1.5"])
def test_other_limits_are_refused(limit: str) -> None:
    with pytest.raises(ValidationFailed):
        parse_page({"limit": limit}.items())


@pytest.mark.parametrize(
    ("raw", "statuses"),
    [
        ("held", ("held",)),
        ("confirmed,held", ("held", "confirmed")),
        ("expired,cancelled,held,held", ("held", "cancelled", "expired")),
    ],
)
def test_statuses_are_comma_separated_visible_ones(raw: str, statuses: tuple[str, ...]) -> None:
    assert parse_page({"status": raw}.items())[2] == OrderFilter(statuses=statuses)


@pytest.mark.parametrize(
    "raw",
    ["", "pending", "failed", "HELD", "held,", "held,,confirmed", "held confirmed", "held;expired"],
)
def test_a_status_the_list_never_shows_is_refused_naming_status(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_page({"status": raw}.items())

    [error] = caught.value.errors
    assert error.field == "query.status"
    assert "held, confirmed, cancelled, expired" in error.message


def test_status_given_twice_is_refused_rather_than_one_winning() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_page([("status", "held"), ("status", "confirmed")])

    assert [e.field for e in caught.value.errors] == ["query.status"]


@pytest.mark.parametrize(("raw", "in_flight"), [("true", True), ("false", False)])
def test_in_flight_is_true_or_false(raw: str, in_flight: bool) -> None:
    assert parse_page({"in_flight": raw}.items())[2] == OrderFilter(in_flight=in_flight)


@pytest.mark.parametrize("raw", ["", "1", "yes", "True"])
def test_in_flight_other_than_true_or_false_is_refused(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_page({"in_flight": raw, "status": "nope"}.items())

    assert {e.field for e in caught.value.errors} == {"query.in_flight", "query.status"}
