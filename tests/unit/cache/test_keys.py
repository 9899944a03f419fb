"""Cache keys: equal searches share a key, searches with another answer do not."""

import datetime as dt
from typing import Any

import msgspec
import pytest

from cache.keys import PREFIX
from search.caching import cache_key
from search.validation import validate_search

TODAY = dt.date(2030, 1, 1)


def key(**fields: Any) -> str:
    body: dict[str, Any] = {
        "slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2030-02-01"}]
    }
    body.update(fields)
    return cache_key(validate_search(msgspec.json.decode(msgspec.json.encode(body)), today=TODAY))


def test_keys_are_prefixed_and_hide_the_route() -> None:
    found = key()
    assert found.startswith(PREFIX)
    assert "LHR" not in found


@pytest.mark.parametrize(
    "same",
    [
        {"slices": [{"origin": "lhr", "destination": "jfk", "departure_date": "2030-02-01"}]},
        {"passengers": {"adults": 1, "children": 0, "infants": 0}},
        {"cabin_class": "economy", "sort": "price", "limit": 50, "currency": "usd"},
        {"max_connections": 1},
        {"deadline_ms": 900},
        {"cache": False},
    ],
)
def test_searches_with_the_same_answer_share_a_key(same: dict[str, Any]) -> None:
    assert key(**same) == key()


def test_filters_are_normalized_before_hashing() -> None:
    assert key(airlines=["ba", "AA", "BA"]) == key(airlines=["AA", "BA"])
    assert key(max_price="500") == key(max_price="500.00")


@pytest.mark.parametrize(
    "different",
    [
        {"slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2030-02-02"}]},
        {"slices": [{"origin": "LHR", "destination": "EWR", "departure_date": "2030-02-01"}]},
        {"passengers": {"adults": 2}},
        {"cabin_class": "business"},
        {"sort": "duration"},
        {"limit": 10},
        {"currency": "EUR"},
        {"max_connections": 0},
        {"airlines": ["BA"]},
        {"max_price": "500.00"},
    ],
)
def test_searches_with_another_answer_get_another_key(different: dict[str, Any]) -> None:
    assert key(**different) != key()


def test_the_connector_scope_separates_keys() -> None:
    request = validate_search(
        {"slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2030-02-01"}]},
        today=TODAY,
    )
    assert cache_key(request, b"a\n") != cache_key(request, b"b\n")
