"""Cache lookup counters: plain integers, exposed in the Prometheus registry at scrape time."""

from prometheus_client import REGISTRY, generate_latest

from cache import metrics


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
