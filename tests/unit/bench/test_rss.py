"""bench/rss.py's arithmetic: growth and slope after the warm-up, per worker."""

import msgspec
import pytest

from bench.harness_rss import is_flat
from bench.report import RssWorker
from bench.rss import Sample, l1_full_at, parse_l1_bytes, slope_per_min, summarize, warmed_at
from bench.summary_notify_rss import rss_verdict, warm_up_text
from tests.unit.bench.issue18_parts import rss


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


def test_the_warm_up_lasts_until_the_l1_first_reaches_its_bound() -> None:
    bound = 1000
    samples = [
        Sample(0.0, {"7": 100.0}, 0.0),
        Sample(60.0, {"7": 150.0}, None),  # /metrics did not answer that time
        Sample(120.0, {"7": 180.0}, 985.0),  # under 99 % of the bound: still filling
        Sample(300.0, {"7": 200.0}, 995.0),
        Sample(360.0, {"7": 200.0}, 990.0),  # eviction keeps it just under its bound
    ]
    assert l1_full_at(samples, bound) == 300.0
    assert warmed_at(120.0, l1_full_at(samples, bound)) == 300.0
    assert warmed_at(400.0, 300.0) == 400.0  # never earlier than the fixed warm-up
    (seven,) = summarize(samples, warmed_at(120.0, 300.0), window_s=300.0)
    assert (seven.after_warmup_mib, seven.growth_mib, seven.window_slope_mib_per_min) == (
        200.0,
        0.0,
        0.0,
    )


def test_an_l1_that_never_filled_or_was_never_read_has_no_full_time() -> None:
    filling = [Sample(float(t), {"7": 100.0 + t}, 10.0 * t) for t in range(0, 60, 10)]
    assert l1_full_at(filling, bound_bytes=1000) is None
    unread = [Sample(0.0, {"7": 100.0}), Sample(10.0, {"7": 100.0})]
    assert l1_full_at(unread, bound_bytes=1000) is None
    assert warmed_at(120.0, None) == 120.0


def test_the_summary_says_how_long_the_warm_up_lasted_and_why() -> None:
    base = rss()
    late = msgspec.structs.replace(base, l1_full_at_s=270.0)
    assert warm_up_text(late) == "warm-up until the L1 reached its bound at 270 s"
    early = msgspec.structs.replace(base, l1_full_at_s=60.0)
    assert warm_up_text(early) == "warm-up 120 s (the L1 reached its bound at 60 s)"
    growing = msgspec.structs.replace(base, flat=False, l1_full_at_s=None)
    assert warm_up_text(growing) == "warm-up 120 s; the L1 did not reach its bound"
    assert rss_verdict(growing) == "**growing** (the L1 still filling)"
    assert rss_verdict(msgspec.structs.replace(growing, l1_full_at_s=300.0)) == "**growing**"
