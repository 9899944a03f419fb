"""Cache lookup counters: plain integers, exposed in the Prometheus registry at scrape time."""

import gc

from prometheus_client import REGISTRY, generate_latest

from cache import metrics
from cache.memory import InMemoryFareCache
from cache.model import FareEntry


def _scraped(layer: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "skyfare_cache_requests_total", {"layer": layer, "outcome": outcome}
    )
    assert value is not None
    return value


def test_a_count_shows_in_the_next_scrape() -> None:
    before = _scraped("redis", "shared")
    metrics.count("redis", "shared")
    metrics.count("redis", "shared")
    assert _scraped("redis", "shared") == before + 2
    assert metrics.value("redis", "shared") == before + 2


def test_every_layer_and_outcome_is_exported_from_the_start() -> None:
    text = generate_latest(REGISTRY).decode()
    for layer in ("l1", "redis"):
        for outcome in ("hit", "miss", "stale", "error", "shared"):
            assert f'skyfare_cache_requests_total{{layer="{layer}",outcome="{outcome}"}}' in text


def test_the_watched_l1_is_read_at_each_scrape_in_bytes_and_entries() -> None:
    l1 = InMemoryFareCache(10, max_bytes=1 << 20)
    metrics.watch_l1(l1)
    l1.put("fares:LHR-JFK", FareEntry(b"x" * 1000, b"[]", False, 1, 0.0, 4e9, 4e9))
    assert REGISTRY.get_sample_value("skyfare_cache_l1_bytes") == l1.bytes > 1000
    assert REGISTRY.get_sample_value("skyfare_cache_l1_entries") == 1
    assert REGISTRY.get_sample_value("skyfare_cache_l1_max_bytes") == 1 << 20
    assert REGISTRY.get_sample_value("skyfare_cache_l1_max_entries") == 10
    l1.clear()
    assert REGISTRY.get_sample_value("skyfare_cache_l1_bytes") == 0


def test_an_l1_no_longer_held_elsewhere_is_not_kept_alive_by_its_metrics() -> None:
    metrics.watch_l1(InMemoryFareCache(10))
    gc.collect()
    assert REGISTRY.get_sample_value("skyfare_cache_l1_bytes") is None
