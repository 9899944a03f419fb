"""compare.py: the figure-by-figure difference between two result files."""

from __future__ import annotations

import msgspec
import pytest

from bench.compare import Row, diff, headline, render
from tests.unit.bench.samples import result


def test_diff_pairs_each_headline_figure_of_both_results() -> None:
    old = result()
    assert old.ceiling is not None
    faster = msgspec.structs.replace(old.ceiling, ratio=0.8, skyfare_median_rps=24000.0)
    new = msgspec.structs.replace(old, sha="bbbbbbb", ceiling=faster)
    rows = {row.name: row for row in diff(old, new)}
    assert rows["ceiling.ratio"].old == 0.5
    assert rows["ceiling.ratio"].new == 0.8
    assert rows["ceiling.ratio"].change == pytest.approx(0.3)
    assert rows["ceiling.ratio"].verdict == "better"
    assert rows["ceiling.skyfare_rps"].percent == pytest.approx(100.0)
    assert rows["cold.40/s.p99"].change == 0.0
    assert rows["cold.40/s.p99"].verdict == ""


def test_lower_latency_and_fewer_failures_are_better_higher_is_worse() -> None:
    assert Row("cold.p99", 80.0, 70.0).verdict == "better"
    assert Row("mixed.p95", 100.0, 120.0).verdict == "worse"
    assert Row("mixed.failures", 0.0, 3.0).verdict == "worse"
    assert Row("booking.api_orders_per_s", 100.0, 90.0).verdict == "worse"
    assert Row("booking.api_p50_ms", 30.0, 60.0).verdict == "worse"  # "booking" holds "ok"
    assert Row("booking.ratio", 0.2, 0.3).verdict == "better"


def test_a_figure_only_one_result_has_is_shown_without_a_change() -> None:
    old = msgspec.structs.replace(result(), booking=None)
    rows = {row.name: row for row in diff(old, result())}
    assert rows["booking.ratio"].old is None
    assert rows["booking.ratio"].change is None
    assert rows["booking.ratio"].percent is None
    assert "| booking.ratio | - | 0.10 | - | - |  |" in render(old, result(), list(rows.values()))


def test_everything_adds_each_endpoint_of_the_mixed_scenario() -> None:
    names = headline(result(), everything=True)
    assert "mixed.GET /v1/search.p99" in names
    assert "mixed.GET /v1/search.p99" not in headline(result())
