"""Query strings read one way everywhere: each parameter once, numbers in ASCII digits."""

from __future__ import annotations

import pytest

from kernel.errors import FieldError
from kernel.query import ascii_int, query_params


def test_known_parameters_given_once_are_returned_by_name() -> None:
    assert query_params([("limit", "5"), ("after", "c")], {"limit", "after"}) == (
        {"limit": "5", "after": "c"},
        [],
    )


def test_a_repeated_and_an_unknown_parameter_are_each_named() -> None:
    _, errors = query_params([("limit", "5"), ("limit", "7"), ("colour", "red")], {"limit"})

    assert errors == [
        FieldError("query.limit", "given more than once"),
        FieldError("query.colour", "unknown parameter"),
    ]


@pytest.mark.parametrize(
    ("value", "number"), [("0", 0), ("7", 7), ("007", 7), ("123456789", 123456789)]
)
def test_ascii_digits_are_a_number(value: str, number: int) -> None:
    assert ascii_int(value) == number


@pytest.mark.parametrize("value", ["", "²", "٥", "５", "-1", "+1", " 1", "1.0", "1e3", "1" * 10])
def test_anything_else_is_not(value: str) -> None:
    assert ascii_int(value) is None


def test_a_long_or_unprintable_unknown_name_is_cut_and_escaped_in_its_field_path() -> None:
    _, errors = query_params([("x" * 100, "1"), ("bad\nname", "2")], set())

    assert [e.field for e in errors] == [f"query.{'x' * 40}...", "query.'bad\\nname'"]
