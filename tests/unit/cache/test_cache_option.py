"""The `cache` request option: a JSON boolean in the body, `true` / `false` in the query."""

import datetime as dt

import msgspec
import pytest

from kernel.errors import ValidationFailed
from search.routes import OPERATIONS
from search.validation import parse_search_query, validate_search

TODAY = dt.date(2030, 1, 1)
SLICES = [{"origin": "LHR", "destination": "JFK", "departure_date": "2030-02-01"}]
QUERY = [("origin", "LHR"), ("destination", "JFK"), ("departure_date", "2030-02-01")]


def test_the_body_option_defaults_to_cached_and_can_force_a_live_search() -> None:
    assert validate_search({"slices": SLICES}, today=TODAY).cache is True
    assert validate_search({"slices": SLICES, "cache": False}, today=TODAY).cache is False
    # null is as if the member were left out, as for every member of a search body.
    assert validate_search({"slices": SLICES, "cache": None}, today=TODAY).cache is True


def test_the_query_option_can_force_a_live_search() -> None:
    assert parse_search_query(QUERY, today=TODAY).cache is True
    assert parse_search_query([*QUERY, ("cache", "false")], today=TODAY).cache is False


@pytest.mark.parametrize("value", ["no", 0])
def test_a_cache_option_that_is_not_a_boolean_is_named(value: object) -> None:
    with pytest.raises(ValidationFailed) as failed:
        validate_search({"slices": SLICES, "cache": value}, today=TODAY)
    assert [e.field for e in failed.value.errors] == ["cache"]


def test_a_bad_query_cache_option_is_named() -> None:
    with pytest.raises(ValidationFailed) as failed:
        parse_search_query([*QUERY, ("cache", "maybe")], today=TODAY)
    assert [e.field for e in failed.value.errors] == ["query.cache"]


def test_the_openapi_operations_show_the_option() -> None:
    get = next(op for op in OPERATIONS if op.operation_id == "search_get")
    assert "cache" in {p.name for p in get.parameters}
    post = next(op for op in OPERATIONS if op.operation_id == "search")
    (_, components) = msgspec.json.schema_components([post.request])
    # A boolean, or null for its default (the body's optional members are nullable).
    cache = components["SearchRequest"]["properties"]["cache"]
    assert cache["anyOf"] == [{"type": "boolean"}, {"type": "null"}]
    assert cache["default"] is True
