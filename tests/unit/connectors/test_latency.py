import random

import pytest

from connectors.resilience.latency import LatencyTracker


def test_no_samples_no_percentiles() -> None:
    tracker = LatencyTracker()
    assert len(tracker) == 0
    assert tracker.percentile(0.5) is None


def test_nearest_rank_percentiles() -> None:
    tracker = LatencyTracker(capacity=200)
    for ms in random.Random(1).sample(range(1, 101), 100):
        tracker.record(ms / 1000)
    assert tracker.percentile(0.50) == pytest.approx(0.050)
    assert tracker.percentile(0.95) == pytest.approx(0.095)
    assert tracker.percentile(0.99) == pytest.approx(0.099)
    assert tracker.percentile(1.0) == pytest.approx(0.100)


def test_keeps_only_the_latest_samples() -> None:
    tracker = LatencyTracker(capacity=3)
    for seconds in (9.0, 8.0, 1.0, 2.0, 3.0):
        tracker.record(seconds)
    assert len(tracker) == 3
    assert tracker.percentile(1.0) == 3.0
    assert tracker.percentile(0.01) == 1.0


def test_percentiles_match_a_full_sort_after_many_samples() -> None:
    rng = random.Random(2)
    tracker = LatencyTracker(capacity=50)
    samples = [rng.expovariate(10) for _ in range(1000)]
    for seconds in samples:
        tracker.record(seconds)
    latest = sorted(samples[-50:])
    assert tracker.percentile(0.5) == latest[24]
    assert tracker.percentile(0.95) == latest[47]
