"""The open-loop generator's schedule and its latency accounting (coordinated omission)."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics

import pytest

from bench.open_loop import (
    Sample,
    expand,
    schedule,
    search_times,
    slowest_connector_ms,
    summarize,
)


def test_an_even_schedule_sends_rate_times_duration_requests_at_equal_gaps() -> None:
    times = schedule(40.0, 2.0)
    assert len(times) == 80
    assert times[0] == 0.0
    assert {round(b - a, 9) for a, b in itertools.pairwise(times)} == {0.025}


def test_a_poisson_schedule_keeps_the_mean_rate_and_is_the_same_for_the_same_seed() -> None:
    times = schedule(200.0, 20.0, poisson=True, seed=7)
    assert times == schedule(200.0, 20.0, poisson=True, seed=7)
    assert len(times) == pytest.approx(4000, rel=0.05)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert statistics.mean(gaps) == pytest.approx(1 / 200, rel=0.05)
    assert max(gaps) > 3 * min(gaps)  # not evenly spaced
    assert all(0 <= t < 20.0 for t in times)


def test_a_schedule_needs_a_positive_rate_and_duration() -> None:
    with pytest.raises(ValueError, match="positive"):
        schedule(0.0, 10.0)


def test_latency_counts_from_the_intended_send_time_not_the_actual_one() -> None:
    # The generator (or a stalled server) sent this one 200 ms late; it was answered 10 ms after.
    late = Sample(intended=1.0, sent=1.2, done=1.21, status=200)
    assert late.latency_ms == pytest.approx(210.0)
    assert late.lag_ms == pytest.approx(200.0)


def test_a_stall_shows_in_every_request_scheduled_during_it() -> None:
    # A server that stalls for 1 s: a closed loop would record one slow request; the open loop
    # scheduled 10 requests in that second and each waits out the rest of the stall.
    stalled = [Sample(i * 0.1, i * 0.1, 1.0 + 0.005, 200) for i in range(10)]
    normal = [Sample(1.0 + i * 0.1, 1.0 + i * 0.1, 1.0 + i * 0.1 + 0.005, 200) for i in range(90)]
    figures = summarize(stalled + normal, 10.0)
    assert figures["p95"] >= 500.0  # the stall fills the top tenth of the distribution
    assert figures["max"] == pytest.approx(1005.0)
    assert figures["p50"] == pytest.approx(5.0)


def test_summarize_counts_errors_apart_and_times_only_answers() -> None:
    samples = [Sample(0.0, 0.0, 0.05, 200), Sample(0.1, 0.1, 10.1, 0), Sample(0.2, 0.2, 0.3, 503)]
    figures = summarize(samples, 1.0)
    assert (figures["sent"], figures["ok"], figures["errors"]) == (3, 1, 2)
    assert figures["max"] == pytest.approx(50.0)
    assert figures["achieved_rate"] == 1.0


def test_slowest_connector_is_the_largest_latency_a_search_reports() -> None:
    body = (
        b'{"offers": [], "meta": {"took_ms": 80, "connectors": [{"name": "a", "latency_ms": 41},'
        b' {"name": "b", "latency_ms": 72.5}, {"name": "c", "status": "timeout"}]}}'
    )
    assert slowest_connector_ms(body) == 72.5
    assert slowest_connector_ms(b'{"meta": {"connectors": []}}') is None
    assert slowest_connector_ms(b"not json") is None
    assert search_times(body) == (72.5, 80)  # and the handler's own time
    assert search_times(b"not json") == (None, None)


def test_the_date_placeholder_cycles_over_departures_from_a_week_ahead() -> None:
    today = dt.date(2026, 11, 24)
    url = "http://x/v1/search?departure_date={date}&cache=false"
    assert expand(url, 0, today) == "http://x/v1/search?departure_date=2026-12-01&cache=false"
    assert expand(url, 60, today) == expand(url, 0, today)
    assert expand("http://x/fixed", 5, today) == "http://x/fixed"
