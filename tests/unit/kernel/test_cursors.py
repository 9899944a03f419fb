"""Cursor pages shared by every list: a cursor names a position of its own list's kind only, and a
page of `limit` items says where the next one starts."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.cursors import Position, encode_cursor, one_page, parse_list_page
from kernel.errors import ValidationFailed

AT = dt.datetime(2026, 11, 25, 10, 30, 15, 123456, tzinfo=dt.UTC)


def _is_case(value: str) -> bool:
    return value.startswith("cas_")


def test_a_list_page_takes_its_limit_and_a_cursor_of_its_own_kind() -> None:
    cursor = encode_cursor(Position(AT, "cas_1"))

    page = parse_list_page(
        {"limit": "5", "after": cursor}.items(), is_id=_is_case, default=50, maximum=200
    )

    assert page == (5, Position(AT, "cas_1"))


def test_a_cursor_of_another_list_and_any_other_parameter_are_each_named() -> None:
    foreign = encode_cursor(Position(AT, "ord_1"))

    with pytest.raises(ValidationFailed) as caught:
        parse_list_page(
            [("after", foreign), ("limit", "201"), ("sort", "asc")],
            is_id=_is_case,
            default=50,
            maximum=200,
        )

    assert sorted(e.field for e in caught.value.errors) == [
        "query.after",
        "query.limit",
        "query.sort",
    ]


@pytest.mark.parametrize(("fetched", "page", "last"), [(3, 3, None), (4, 3, 2)])
def test_a_page_holds_limit_items_and_names_the_last_when_more_follow(
    fetched: int, page: int, last: int | None
) -> None:
    items = list(range(fetched))

    found, after = one_page(items, 3, lambda i: Position(AT, f"cas_{i}"))

    assert found == items[:page]
    assert after == (None if last is None else Position(AT, f"cas_{last}"))
