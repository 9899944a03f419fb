"""Percentile and median maths of the benchmark figures."""

from __future__ import annotations

import pytest

from bench.stats import median_of, percentile, percentile_label, spectrum, spread


def test_percentile_is_nearest_rank_over_the_sorted_values() -> None:
    values = list(range(100, 0, -1))  # 100 … 1, unsorted on purpose
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile(values, 0.999) == 100
    assert percentile(values, 1.0) == 100


def test_percentile_is_always_a_value_that_was_measured() -> None:
    values = [1.0, 2.0, 10.0, 1000.0]
    assert percentile(values, 0.5) == 2.0  # not an interpolated 6.0
    assert percentile(values, 0.9) == 1000.0
    assert percentile(values, 0.0) == 1.0


def test_percentile_of_one_value_is_that_value() -> None:
    assert percentile([7.5], 0.01) == 7.5
    assert percentile([7.5], 0.99) == 7.5


def test_percentile_refuses_no_values_and_a_q_outside_zero_to_one() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)
    with pytest.raises(ValueError, match="within"):
        percentile([1.0], 1.5)


def test_percentile_labels_read_as_people_write_them() -> None:
    assert [percentile_label(q) for q in (0.5, 0.99, 0.999, 1.0)] == [
        "p50",
        "p99",
        "p99.9",
        "max",
    ]


def test_spectrum_names_each_percentile_and_rounds() -> None:
    figures = spectrum([1.0 / 3, 2.0, 3.0], (0.5, 1.0))
    assert figures == {"p50": 2.0, "max": 3.0}


def test_median_of_runs_takes_each_key_over_the_runs_that_have_it() -> None:
    runs = [{"p50": 10.0, "p99": 30.0}, {"p50": 12.0}, {"p50": 11.0, "p99": 50.0}]
    assert median_of(runs) == {"p50": 11.0, "p99": 40.0}


def test_spread_is_the_range_over_the_median() -> None:
    assert spread([90.0, 100.0, 110.0]) == 0.2
    assert spread([5.0, 5.0]) == 0.0
