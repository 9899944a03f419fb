"""The one JSON-object decoder of request bodies: nesting is bounded, never a RecursionError."""

from __future__ import annotations

import pytest

from kernel.errors import BadRequest
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
