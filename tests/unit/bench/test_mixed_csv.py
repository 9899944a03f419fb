"""Parsing locust's CSV output (recorded from a real `locust --csv` run) and taking medians."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.mixed import median_endpoints, parse_failures, parse_stats
from bench.report import Endpoint, MixedRun

DATA = Path(__file__).with_name("data")


def test_stats_give_one_endpoint_per_row_and_the_aggregate_apart() -> None:
    endpoints, total = parse_stats((DATA / "locust_stats.csv").read_text())
    names = [(e.method, e.name) for e in endpoints]
    assert names == [
        ("POST", "/v1/fares/bulk"),
        ("GET", "/v1/fares/calendar"),
        ("GET", "/v1/offers/[id]"),
        ("GET", "/v1/search"),
        ("POST", "/v1/search"),
    ]
    search = endpoints[3]
    assert (search.requests, search.failures) == (14, 0)
    assert (search.p50, search.p95, search.p99) == (92.0, 150.0, 150.0)
    assert search.rps == pytest.approx(3.6, abs=0.01)
    assert search.max == pytest.approx(146.78)
    assert (total.name, total.requests, total.failures) == ("Aggregated", 33, 4)


def test_stats_without_an_aggregate_row_are_refused() -> None:
    header = (DATA / "locust_stats.csv").read_text().splitlines()[0]
    with pytest.raises(ValueError, match="Aggregated"):
        parse_stats(header + "\n")


def test_failures_keep_method_name_error_and_count() -> None:
    failures = parse_failures((DATA / "locust_failures.csv").read_text())
    assert [(f.method, f.name, f.occurrences) for f in failures] == [
        ("GET", "/v1/fares/calendar", 3),
        ("POST", "/v1/fares/bulk", 1),
    ]
    assert "401" in failures[0].error


def _endpoint(name: str, rps: float, p99: float, method: str = "GET") -> Endpoint:
    return Endpoint(method, name, 100, 1, rps, 10.0, 20.0, p99, 12.0, p99 + 5)


def test_medians_are_per_endpoint_over_the_runs_that_saw_it() -> None:
    total = _endpoint("Aggregated", 1.0, 1.0, method="")
    runs = [
        MixedRun([_endpoint("/a", 10.0, 100.0), _endpoint("/b", 1.0, 9.0)], total),
        MixedRun([_endpoint("/a", 30.0, 300.0)], total),
        MixedRun([_endpoint("/a", 20.0, 200.0), _endpoint("/b", 3.0, 11.0)], total),
    ]
    rows, aggregate = median_endpoints(runs)
    assert [(r.name, r.rps, r.p99) for r in rows] == [("/a", 20.0, 200.0), ("/b", 2.0, 10.0)]
    assert aggregate.name == "Aggregated"
    assert aggregate.requests == 100
