"""The retry loop of idempotent airline calls: backoff window, limits, and no garbage left.

Behaviour through `ResilientConnector` (retried on which errors, within the deadline) is in
test_resilient_connector.py; here the loop itself and what it costs the garbage collector.
"""

import asyncio
import gc

import pytest

from connectors.errors import ConnectorUnavailable, SupplierRejected
from connectors.resilience import ResiliencePolicy, ResilientConnector
from connectors.resilience.retry import backoff_s, with_retries
from tests.unit.connectors.test_resilient_connector import QUERY, FakeClock, Step, airline


def highest(low: float, high: float) -> float:
    return high


def test_the_backoff_window_doubles_from_the_base_up_to_the_cap() -> None:
    policy = ResiliencePolicy(backoff_base_s=0.02, backoff_max_s=0.1)
    windows = [backoff_s(policy, retry, highest) for retry in (1, 2, 3, 4, 100, 10_000)]
    assert windows == [0.02, 0.04, 0.08, 0.1, 0.1, 0.1]


def test_the_backoff_is_drawn_from_zero_to_the_window() -> None:
    drawn: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        drawn.append((low, high))
        return low

    assert backoff_s(ResiliencePolicy(backoff_base_s=0.02), 2, uniform) == 0.0
    assert drawn == [(0.0, 0.04)]


async def test_retries_at_most_the_policy_s_count_then_raises_the_last_error() -> None:
    attempts: list[int] = []
    pauses: list[float] = []
    retried: list[int] = []

    async def once() -> str:
        attempts.append(len(attempts))
        raise ConnectorUnavailable(f"attempt {len(attempts)}")

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    policy = ResiliencePolicy(retries=2, backoff_base_s=0.01, min_attempt_s=0.0)
    with pytest.raises(ConnectorUnavailable, match="attempt 3"):
        await with_retries(
            once,
            policy,
            deadline=100.0,
            clock=lambda: 0.0,
            on_retry=lambda: retried.append(1),
            sleep=sleep,
            uniform=highest,
        )
    assert (len(attempts), pauses, len(retried)) == (3, [0.01, 0.02], 2)


async def test_an_answer_that_is_not_retryable_is_raised_at_once() -> None:
    attempts: list[int] = []

    async def once() -> str:
        attempts.append(1)
        raise SupplierRejected("no")

    with pytest.raises(SupplierRejected):
        await with_retries(
            once,
            ResiliencePolicy(retries=3),
            deadline=100.0,
            clock=lambda: 0.0,
            on_retry=lambda: None,
        )
    assert attempts == [1]


async def test_a_retried_call_leaves_no_cyclic_garbage() -> None:
    # Each call used to leave ~30 objects in reference cycles (tenacity's per-call retrier):
    # freed only by the cyclic collector, in the full collections that stalled the API worker.
    clock = FakeClock()
    calls = 50
    steps = [s for _ in range(calls) for s in (Step(error=ConnectorUnavailable), Step())]
    policy = ResiliencePolicy(retries=1, backoff_base_s=0.0, min_attempt_s=0.0, min_calls=10**6)
    connector = ResilientConnector(airline(*steps), policy, clock=clock)
    await connector.search(QUERY, timeout=1.0)  # first-call set-up (metrics children, …)
    gc.collect()
    gc.disable()
    try:
        for _ in range(calls - 1):
            assert await connector.search(QUERY, timeout=1.0) == ["ok"]
        await asyncio.sleep(0)
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable < calls  # less than one per call: the calls themselves leave none
