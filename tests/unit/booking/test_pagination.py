"""List cursors: opaque, round-tripping positions; anything else is refused naming `after`."""

from __future__ import annotations

import datetime as dt

import pytest

from booking.pagination import LIMIT_DEFAULT, Position, decode_cursor, encode_cursor, parse_page
from kernel.errors import ValidationFailed

AT = dt.datetime(2026, 11, 25, 10, 30, 15, 123456, tzinfo=dt.UTC)


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
    assert parse_page({}.items()) == (LIMIT_DEFAULT, None)


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
