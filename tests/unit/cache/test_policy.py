"""TTL policy: nearer departures stay fresh for less time; a stale window follows."""

import pytest

from cache.policy import TtlPolicy


@pytest.mark.parametrize(
    ("days", "ttl"), [(0, 60.0), (2, 60.0), (3, 300.0), (13, 300.0), (14, 900.0), (300, 900.0)]
)
def test_fresh_ttl_grows_with_days_to_departure(days: int, ttl: float) -> None:
    assert TtlPolicy().fresh_ttl(days) == ttl


def test_a_complete_empty_answer_is_kept_briefly() -> None:
    assert TtlPolicy().fresh_ttl(100, empty=True) == 30.0


def test_the_stale_window_is_a_multiple_of_the_fresh_ttl() -> None:
    policy = TtlPolicy(near_ttl_s=10, stale_factor=3)
    assert policy.window(1, 1000.0) == (1010.0, 1030.0)
