"""`response_body`, built from pieces made once: the same JSON as a `SearchResponse` encoded
field by field, for every cache state, with Redis unavailable or not, partial or not, and a
`took_ms` from the table of small ones and beyond it."""

from __future__ import annotations

import msgspec
import pytest

from cache.model import FareEntry
from search.caching import response_body
from search.model import ROUTE_NOT_SERVED, SearchMeta, SearchResponse

OFFERS = b'[{"id":"off_1","total_amount":"123.45","total_currency":"USD"}]'
CONNECTORS = b'[{"name":"sim-a","status":"ok","offers":1,"latency_ms":12}]'


@pytest.mark.parametrize("cache", ["hit", "miss", "stale"])
@pytest.mark.parametrize("unavailable", [False, True])
@pytest.mark.parametrize("partial", [False, True])
@pytest.mark.parametrize("took_ms", [0, 7, 255, 256, 1_234])
def test_a_response_body_says_its_meta_as_given(
    cache: str, unavailable: bool, partial: bool, took_ms: int
) -> None:
    entry = FareEntry(OFFERS, CONNECTORS, partial, 1, 0.0, 1.0, 2.0)

    body = response_body(
        b"srch_0123456789abcdef",
        entry,
        took_ms=took_ms,
        cache=cache,  # type: ignore[arg-type]
        cache_unavailable=unavailable,
    )

    decoded = msgspec.json.decode(body)
    meta = {"took_ms": took_ms, "cache": cache}
    if unavailable:
        meta["cache_unavailable"] = True
    assert list(decoded) == ["search_id", "offers", "meta"]
    assert decoded["meta"] == {
        **meta,
        "partial": partial,
        "connectors": msgspec.json.decode(CONNECTORS),
    }
    assert list(decoded["meta"]) == [*meta, "partial", "connectors"]
    assert decoded["search_id"] == "srch_0123456789abcdef"
    assert decoded["offers"] == msgspec.json.decode(OFFERS)


@pytest.mark.parametrize("cache", ["hit", "miss", "stale"])
def test_an_answer_no_connector_reported_warns_as_the_encoded_response_would(cache: str) -> None:
    entry = FareEntry(b"[]", b"[]", False, 0, 0.0, 1.0, 2.0)

    body = response_body(b"srch_0123456789abcdef", entry, took_ms=3, cache=cache)  # type: ignore[arg-type]

    meta = SearchMeta(
        took_ms=3,
        cache=cache,  # type: ignore[arg-type]
        partial=False,
        connectors=(),
        warnings=(ROUTE_NOT_SERVED,),
    )
    assert body == msgspec.json.encode(SearchResponse("srch_0123456789abcdef", (), meta))
