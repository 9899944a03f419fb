"""The cold table names how many times Redis forked in each run (a snapshot on the server core
lengthens that run's tail); runs measured before the count existed get no such column."""

from __future__ import annotations

import msgspec

from bench.placement import consumers_placement
from bench.summary import cold_table
from tests.unit.bench.issue18_parts import cold

RUN = {"p50": 72.7, "p99": 84.1, "lag_p99_ms": 2.4}


def test_each_run_shows_its_redis_forks() -> None:
    c = cold(200.0, 2.7, 14.1)
    c = msgspec.structs.replace(
        c,
        runs=[{**RUN, "p99": 146.1, "redis_forks": 1.0}, {**RUN, "redis_forks": 0.0}],
        median={**RUN, "redis_forks": 0.5},
    )
    header, rule, first, second, median = cold_table(c)[2:]
    assert header.endswith("| generator lag p99 | Redis forks (snapshots) |")
    assert rule.count("|---") == 11
    assert first.startswith("| 1 |")
    assert first.endswith("| 1 |")
    assert second.startswith("| 2 |")
    assert second.endswith("| 0 |")
    assert median.endswith("| 0.5 |")


def test_a_run_without_the_count_shows_no_column() -> None:
    lines = cold_table(cold(40.0, 3.0, 7.6))
    assert "Redis forks" not in "\n".join(lines)
    assert lines[3].count("|---") == 10


def test_the_snapshots_saved_before_the_runs_are_named() -> None:
    c = cold(200.0, 2.7, 8.1)
    c = msgspec.structs.replace(
        c,
        runs=[
            {**RUN, "redis_forks": 0.0, "snapshot_before": 1.0},
            {**RUN, "redis_forks": 1.0, "snapshot_before": 0.0},
        ],
        median={**RUN, "redis_forks": 0.5, "snapshot_before": 0.5},
    )
    assert cold_table(c)[-1].startswith("Redis saved its snapshot before 1 of the 2 runs")


def test_runs_without_a_snapshot_before_say_nothing_of_it() -> None:
    assert "snapshot" not in "\n".join(cold_table(cold(40.0, 3.0, 7.6))[-2:])


def test_the_placement_is_named_under_the_table() -> None:
    words = {"waits": "a search", "clients": "the open-loop generator"}
    placement = consumers_placement([0], [1], apart=True, pinned=True, **words)
    c = msgspec.structs.replace(cold(200.0, 2.7, 8.1), placement=placement)
    assert cold_table(c)[-1] == (
        "Placement: core(s) 0: the API worker, PostgreSQL, Redis (what a search waits for); "
        "core(s) 1: the notification worker, the analytics consumer, the supervisor, the "
        "open-loop generator and the sim airlines."
    )
    together = consumers_placement([0], [1], apart=False, pinned=True, **words)
    assert together.startswith("core(s) 0: the API worker, PostgreSQL, Redis, the notification")
    assert not any(line.startswith("Placement") for line in cold_table(cold(40.0, 3.0, 7.6)))
