"""`hit_body`, the fast path's answer, is byte for byte `response_body`'s for a fresh hit."""

from __future__ import annotations

import msgspec
import pytest

from cache.model import FareEntry
from search.caching import hit_body, response_body

OFFERS = b'[{"id":"off_1","total_amount":"123.45","total_currency":"USD"}]'
CONNECTORS = b'[{"name":"sim-a","status":"ok","offers":1,"latency_ms":12}]'


@pytest.mark.parametrize("partial", [False, True])
@pytest.mark.parametrize("took_ms", [0, 7, 255, 256, 1_234])
def test_a_hits_body_is_the_full_paths_body(partial: bool, took_ms: int) -> None:
    entry = FareEntry(OFFERS, CONNECTORS, partial, 1, 0.0, 1.0, 2.0)

    fast = hit_body("srch_0123456789abcdef", entry, took_ms)

    assert fast == response_body("srch_0123456789abcdef", entry, took_ms=took_ms, cache="hit")
    decoded = msgspec.json.decode(fast)
    assert decoded["meta"] == {
        "took_ms": took_ms,
        "cache": "hit",
        "partial": partial,
        "connectors": msgspec.json.decode(CONNECTORS),
    }
    assert decoded["search_id"] == "srch_0123456789abcdef"
    assert decoded["offers"] == msgspec.json.decode(OFFERS)
