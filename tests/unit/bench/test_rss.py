"""bench/rss.py's arithmetic: growth and slope after the warm-up, per worker."""

import pytest

from bench.harness_rss import is_flat, parse_l1_bytes
from bench.report import RssWorker
from bench.rss import Sample, slope_per_min, summarize


def test_the_slope_is_in_mib_per_minute() -> None:
    assert slope_per_min([(0.0, 100.0), (60.0, 102.0), (120.0, 104.0)]) == pytest.approx(2.0)


def test_a_flat_or_single_series_has_no_slope() -> None:
    assert slope_per_min([(0.0, 5.0), (30.0, 5.0)]) == 0.0
    assert slope_per_min([(0.0, 5.0)]) == 0.0


def test_growth_counts_only_after_the_warm_up_and_per_worker() -> None:
    samples = [
        Sample(0.0, {"7": 50.0, "9": 60.0}),
        Sample(60.0, {"7": 90.0, "9": 80.0}),  # the warm-up fills the L1
        Sample(120.0, {"7": 90.5, "9": 80.0}),
        Sample(180.0, {"7": 91.0}),  # worker 9 gone: its last sample stands
    ]
    seven, nine = summarize(samples, warmup_s=60.0)
    assert (seven.pid, seven.after_warmup_mib, seven.end_mib, seven.growth_mib) == (
        7,
        90.0,
        91.0,
        1.0,
    )
    assert seven.slope_mib_per_min == pytest.approx(0.5)  # 1 MiB over two minutes
    assert (nine.pid, nine.growth_mib, nine.slope_mib_per_min) == (9, 0.0, 0.0)


def test_the_judged_window_is_the_last_seconds_only() -> None:
    # Filling until 300 s (+10 MiB/min), then flat: the window sees only the flat part.
    samples = [Sample(float(t), {"7": 100.0 + min(t, 300) / 6}) for t in range(0, 601, 60)]
    (seven,) = summarize(samples, warmup_s=60.0, window_s=300.0)
    assert seven.window_slope_mib_per_min == 0.0
    assert seven.slope_mib_per_min > 3.0
    (same,) = summarize(samples, warmup_s=60.0)  # no window: since the warm-up
    assert same.window_slope_mib_per_min == same.slope_mib_per_min


def test_flat_means_every_worker_within_the_limit_and_at_least_one_worker() -> None:
    flat, growing = (
        RssWorker(1, 100.0, 100.0, 0.0, 0.0, window_slope_mib_per_min=s) for s in (-0.4, 0.6)
    )
    assert is_flat([flat], 0.5)
    assert not is_flat([flat, growing], 0.5)
    assert not is_flat([], 0.5)


def test_the_l1_size_is_read_from_the_metrics_text_when_exposed() -> None:
    text = "# HELP skyfare_cache_l1_bytes x\n# TYPE skyfare_cache_l1_bytes gauge\n"
    assert parse_l1_bytes(text + "skyfare_cache_l1_bytes 1.2345e+06\n") == 1234500.0
    assert (
        parse_l1_bytes("skyfare_cache_l1_bytes_total 5\nprocess_resident_memory_bytes 9\n") is None
    )
