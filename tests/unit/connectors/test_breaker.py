import random

import msgspec
import pytest

from connectors.errors import CircuitOpen
from connectors.resilience import CircuitBreaker, CircuitState, ResiliencePolicy
from connectors.resilience.window import OutcomeWindow


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


POLICY = ResiliencePolicy(
    window_s=10, min_calls=10, failure_rate_threshold=0.5, open_s=5, half_open_max_probes=2
)


def make_breaker(
    policy: ResiliencePolicy = POLICY, seed: int = 7
) -> tuple[CircuitBreaker, FakeClock, list[CircuitState]]:
    clock = FakeClock()
    transitions: list[CircuitState] = []
    breaker = CircuitBreaker(
        "air", policy, clock=clock, rng=random.Random(seed), on_transition=transitions.append
    )
    return breaker, clock, transitions


def fail(breaker: CircuitBreaker, times: int = 1) -> None:
    for _ in range(times):
        breaker.record_failure(breaker.acquire())


def succeed(breaker: CircuitBreaker, times: int = 1) -> None:
    for _ in range(times):
        breaker.record_success(breaker.acquire())


def open_breaker(breaker: CircuitBreaker) -> None:
    fail(breaker, POLICY.min_calls)
    assert breaker.state == "open"


def test_does_not_open_before_min_calls_even_if_every_call_failed() -> None:
    breaker, _, _ = make_breaker()
    fail(breaker, 9)
    assert breaker.state == "closed"
    fail(breaker)
    assert breaker.state == "open"


def test_opens_when_failure_rate_reaches_threshold_after_min_calls() -> None:
    breaker, _, transitions = make_breaker()
    succeed(breaker, 5)
    fail(breaker, 4)
    assert breaker.state == "closed"
    fail(breaker)  # 5 of 10 failed: 50 %
    assert breaker.state == "open"
    assert transitions == ["open"]


def test_stays_closed_below_threshold() -> None:
    breaker, _, _ = make_breaker()
    for _ in range(20):
        succeed(breaker, 3)
        fail(breaker, 2)  # 40 %
    assert breaker.state == "closed"
    assert breaker.counts() == (100, 40)


def test_failures_slide_out_of_the_window() -> None:
    breaker, clock, _ = make_breaker()
    fail(breaker, 9)
    clock.now += 12
    fail(breaker, 1)
    assert breaker.state == "closed"
    assert breaker.counts() == (1, 1)


def test_open_fails_fast_without_waiting() -> None:
    breaker, _, transitions = make_breaker()
    open_breaker(breaker)
    seen = list(transitions)
    refused = 0
    # `acquire` is synchronous: it cannot wait. What must hold is that every call is refused
    # and none of them disturbs the state (its cost is bench/'s business, not a unit test's).
    for _ in range(10_000):
        try:
            breaker.acquire()
        except CircuitOpen:
            refused += 1
    assert refused == 10_000
    assert breaker.state == "open"
    assert transitions == seen


@pytest.mark.parametrize("seed", range(20))
def test_open_interval_is_jittered_within_bounds(seed: int) -> None:
    breaker, clock, _ = make_breaker(seed=seed)
    open_breaker(breaker)
    opened_at = clock.now
    clock.now = opened_at + 5 * 0.8 - 0.001
    assert breaker.state == "open"
    clock.now = opened_at + 5 * 1.2
    assert breaker.state == "half_open"


def test_open_intervals_differ_between_breakers() -> None:
    durations = set()
    for seed in range(10):
        breaker, clock, _ = make_breaker(seed=seed)
        open_breaker(breaker)
        opened_at = clock.now
        while breaker.state == "open":
            clock.now += 0.01
        durations.add(round(clock.now - opened_at, 2))
    assert len(durations) > 5


def half_open(breaker: CircuitBreaker, clock: FakeClock) -> None:
    open_breaker(breaker)
    clock.now += 6.1
    assert breaker.state == "half_open"


def test_half_open_admits_exactly_the_probe_limit_concurrently() -> None:
    breaker, clock, _ = make_breaker()
    half_open(breaker, clock)
    first, second = breaker.acquire(), breaker.acquire()
    with pytest.raises(CircuitOpen):
        breaker.acquire()
    breaker.release(first)  # a probe that ended without a verdict frees its slot
    third = breaker.acquire()
    with pytest.raises(CircuitOpen):
        breaker.acquire()
    breaker.record_success(second)
    breaker.record_success(third)
    assert breaker.state == "closed"


def test_probe_successes_close_and_start_a_fresh_window() -> None:
    breaker, clock, transitions = make_breaker()
    half_open(breaker, clock)
    succeed(breaker, 2)
    assert breaker.state == "closed"
    assert transitions == ["open", "half_open", "closed"]
    assert breaker.counts() == (0, 0)
    fail(breaker, 9)  # the failures that opened it are forgotten
    assert breaker.state == "closed"


def test_probe_failure_reopens_for_a_new_interval() -> None:
    breaker, clock, transitions = make_breaker()
    half_open(breaker, clock)
    probe, other = breaker.acquire(), breaker.acquire()
    breaker.record_failure(probe)
    assert breaker.state == "open"
    breaker.record_success(other)  # the other probe's late answer counts for nothing
    clock.now += 3.9
    assert breaker.state == "open"
    clock.now += 2.2
    assert breaker.state == "half_open"
    assert transitions == ["open", "half_open", "open", "half_open"]


def test_a_call_from_before_the_outage_is_not_taken_for_a_probe() -> None:
    breaker, clock, _ = make_breaker()
    slow_call = breaker.acquire()
    half_open(breaker, clock)
    probe = breaker.acquire()
    breaker.record_success(slow_call)
    breaker.acquire()  # the slow call's answer freed no probe slot
    with pytest.raises(CircuitOpen):
        breaker.acquire()
    breaker.record_success(probe)
    assert breaker.state == "half_open"


def test_window_counts_only_recent_outcomes() -> None:
    window = OutcomeWindow(10.0)
    window.record(True, 100.0)
    window.record(False, 105.5)
    assert window.counts(105.5) == (2, 1)
    assert window.counts(111.5) == (1, 1)
    assert window.counts(117.0) == (0, 0)


def test_policy_maps_one_to_one_from_config_and_rejects_nonsense() -> None:
    policy = msgspec.convert({"open_s": 2, "hedge": True}, ResiliencePolicy)
    assert (policy.open_s, policy.hedge, policy.min_calls) == (2.0, True, 10)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"open_seconds": 2}, ResiliencePolicy)
    with pytest.raises(ValueError, match="failure_rate_threshold"):
        ResiliencePolicy(failure_rate_threshold=1.5)
    with pytest.raises(ValueError, match="min_calls"):
        ResiliencePolicy(min_calls=0)


def test_opening_is_logged_with_its_reason(caplog: pytest.LogCaptureFixture) -> None:
    breaker, clock, _ = make_breaker()
    with caplog.at_level("WARNING", logger="connectors.resilience.breaker"):
        open_breaker(breaker)
        clock.now += 6.1
        assert breaker.state == "half_open"
        fail(breaker)

    reasons = [r.getMessage() for r in caplog.records]
    assert "closed -> open" in reasons[0]
    assert "10 of 10 calls failed" in reasons[0]
    assert "half_open -> open" in reasons[1]
    assert "a half-open probe failed" in reasons[1]


def test_open_after_failures_opens_on_that_many_failures_whatever_the_rate() -> None:
    breaker, _, transitions = make_breaker(ResiliencePolicy(open_after_failures=2))
    succeed(breaker, 50)
    fail(breaker)
    assert breaker.state == "closed"  # 1 of 51: under both the rate and the count

    fail(breaker)

    assert transitions == ["open"]


def test_open_after_failures_must_be_positive() -> None:
    with pytest.raises(ValueError, match="open_after_failures"):
        ResiliencePolicy(open_after_failures=0)


def test_open_after_failures_counts_failures_in_a_row_not_in_the_window() -> None:
    breaker, _, transitions = make_breaker(ResiliencePolicy(open_after_failures=2))
    for _ in range(4):  # a stray failure now and then among answers: 4 in the window
        fail(breaker)
        succeed(breaker, 5)

    assert (breaker.state, transitions) == ("closed", [])
    fail(breaker, 2)
    assert transitions == ["open"]


def test_open_after_failures_wants_the_streak_within_the_window() -> None:
    breaker, clock, transitions = make_breaker(ResiliencePolicy(open_after_failures=2, window_s=10))
    fail(breaker)
    clock.now += 10.5  # the next failure, with nothing between, is another outage's first

    fail(breaker)
    assert transitions == []
    clock.now += 1
    fail(breaker)
    assert transitions == ["open"]


def test_a_call_without_a_verdict_neither_breaks_nor_extends_a_streak() -> None:
    breaker, _, transitions = make_breaker(ResiliencePolicy(open_after_failures=2))
    fail(breaker)
    breaker.release(breaker.acquire())
    assert transitions == []

    fail(breaker)

    assert transitions == ["open"]


def test_probe_in_s_counts_down_the_open_interval() -> None:
    policy = ResiliencePolicy(open_after_failures=1, open_s=10, open_jitter=0.2)
    breaker, clock, _ = make_breaker(policy)
    assert breaker.probe_in_s() == 0.0  # closed
    fail(breaker)

    first = breaker.probe_in_s()
    assert 8.0 <= first <= 12.0
    clock.now += 3
    assert breaker.probe_in_s() == pytest.approx(first - 3)
    clock.now += first - 3
    assert breaker.probe_in_s() == 0.0
    assert breaker.state == "half_open"
