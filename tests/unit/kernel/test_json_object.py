"""The one JSON-object decoder of request bodies: nesting is bounded, never a RecursionError,
and a NUL character (which PostgreSQL cannot store) is refused naming its field."""

from __future__ import annotations

import pytest

from kernel.errors import BadRequest, ValidationFailed
from kernel.http import MAX_JSON_DEPTH, json_object


def nested(depth: int, inner: bytes = b"1") -> bytes:
    """An object `depth` levels deep, arrays inside the outermost object."""
    return b'{"a": ' + b"[" * (depth - 1) + inner + b"]" * (depth - 1) + b"}"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 2000, 50_000])
def test_a_body_nested_past_the_limit_is_a_bad_request_naming_the_body(depth: int) -> None:
    with pytest.raises(BadRequest, match="request body nests JSON deeper than"):
        json_object(nested(depth))


def test_a_body_at_the_limit_is_decoded() -> None:
    assert "a" in json_object(nested(MAX_JSON_DEPTH))


def test_many_shallow_containers_are_not_mistaken_for_depth() -> None:
    body = b'{"queries": [' + b",".join([b'{"x": [1, {"y": 2}]}'] * 1000) + b"]}"

    assert len(json_object(body)["queries"]) == 1000


def test_brackets_inside_strings_do_not_count() -> None:
    assert json_object(b'{"a": "' + b"[" * 5000 + b'"}') == {"a": "[" * 5000}


def test_a_nul_character_in_any_string_is_a_422_naming_each_field() -> None:
    body = (
        rb'{"passengers": [{"email": "a\u0000b@example.com", "given_name": "Ada"}], "x": "\u0000"}'
    )

    with pytest.raises(ValidationFailed) as caught:
        json_object(body)

    assert [e.field for e in caught.value.errors] == ["passengers[0].email", "x"]


def test_a_nul_character_in_a_field_name_is_named_escaped() -> None:
    with pytest.raises(ValidationFailed) as caught:
        json_object(rb'{"a\u0000": 1}')

    assert [e.field for e in caught.value.errors] == ["a\\u0000"]


@pytest.mark.parametrize("text", [rb"\\u0000", rb"\\\\u0000", rb"u0000"])
def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(text: bytes) -> None:
    assert "u0000" in json_object(b'{"note": "' + text + b'"}')["note"]
