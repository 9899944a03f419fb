"""bench/rss.py's arithmetic: growth and slope after the warm-up, per worker."""

import pytest

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
