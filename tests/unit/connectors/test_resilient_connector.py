import asyncio
import datetime as dt
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import pytest
from prometheus_client import REGISTRY

from connectors.errors import (
    BulkheadFull,
    CircuitOpen,
    ConnectorTimeout,
    ConnectorUnavailable,
    InvalidRequest,
    SoldOut,
)
from connectors.model import FlightQuery, Passengers, SliceQuery
from connectors.resilience import ResiliencePolicy, ResilientConnector
from tests.support.suspend import run_without_suspending

QUERY = FlightQuery(
    slices=(SliceQuery("JFK", "LHR", dt.date(2030, 5, 1)),), passengers=Passengers(adults=1)
)
_names = itertools.count()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Step:
    """One scripted airline answer: sleep `delay` (real), move the fake clock, then answer."""

    delay: float = 0.0
    error: type[Exception] | None = None
    advance: float = 0.0
    label: str = "ok"


@dataclass
class ScriptedAirline:
    """A connector whose calls follow a script (then repeat `then`), recording what it was asked."""

    name: str
    steps: list[Step] = field(default_factory=list)
    then: Step = field(default_factory=Step)
    clock: FakeClock | None = None
    kind: str = "rest"
    calls: list[tuple[str, float]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)

    async def _answer(self, operation: str, timeout: float) -> Any:
        self.calls.append((operation, timeout))
        step = self.steps.pop(0) if self.steps else self.then
        if self.clock is not None:
            self.clock.now += step.advance
        try:
            await asyncio.sleep(step.delay)
        except asyncio.CancelledError:
            self.cancelled.append(step.label)
            raise
        if step.error is not None:
            raise step.error(f"{self.name}: scripted {step.error.__name__}")
        return step.label

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    def serves(self, query: FlightQuery) -> bool:
        return True

    async def search(self, query: FlightQuery, *, timeout: float) -> Any:
        return [await self._answer("search", timeout)]

    async def price(self, supplier_offer_id: str, *, timeout: float) -> Any:
        return await self._answer("price", timeout)

    async def hold(self, offer_id: str, passengers: Any, *, reference: str, timeout: float) -> Any:
        return await self._answer("hold", timeout)

    async def retrieve(self, reference: str, *, timeout: float) -> Any:
        return await self._answer("retrieve", timeout)

    async def ticket(self, locator: str, *, timeout: float) -> Any:
        return await self._answer("ticket", timeout)

    async def cancel(self, locator: str, *, timeout: float) -> Any:
        return await self._answer("cancel", timeout)


def airline(*steps: Step, then: Step | None = None, clock: FakeClock | None = None) -> Any:
    return ScriptedAirline(f"air{next(_names)}", list(steps), then or Step(), clock)


def counted(connector: ResilientConnector, outcome: str, operation: str = "search") -> float:
    labels = {"connector": connector.name, "operation": operation, "outcome": outcome}
    return REGISTRY.get_sample_value("skyfare_connector_calls_total", labels) or 0.0


def metric(name: str, connector: ResilientConnector) -> float:
    return REGISTRY.get_sample_value(name, {"connector": connector.name}) or 0.0


NO_RETRY = ResiliencePolicy(retries=0, min_calls=4)


async def call(connector: ResilientConnector, operation: str, timeout: float = 1.0) -> Any:
    if operation == "search":
        return await connector.search(QUERY, timeout=timeout)
    if operation == "hold":
        return await connector.hold("offer", [], reference="order-1", timeout=timeout)
    return await getattr(connector, operation)("x", timeout=timeout)


async def test_the_inner_call_gets_the_time_left_of_the_deadline() -> None:
    inner = airline()
    # A clock that stands still: the real one may move by any amount on a busy machine.
    connector = ResilientConnector(inner, clock=FakeClock())
    assert await connector.search(QUERY, timeout=0.5) == ["ok"]
    assert inner.calls == [("search", 0.5)]


async def test_a_connector_that_ignores_its_timeout_is_cut_at_the_deadline() -> None:
    inner = airline(then=Step(delay=math.inf))  # never answers: only the deadline ends the call
    connector = ResilientConnector(inner, NO_RETRY)
    with pytest.raises(ConnectorTimeout):
        await connector.search(QUERY, timeout=0.02)
    assert inner.cancelled == ["ok"]
    assert counted(connector, "timeout") == 1


async def test_timeouts_open_the_breaker_and_then_calls_fail_fast() -> None:
    inner = airline(then=Step(delay=5))
    connector = ResilientConnector(inner, NO_RETRY)
    for _ in range(4):
        with pytest.raises(ConnectorTimeout):
            await connector.search(QUERY, timeout=0.005)
    assert connector.status().circuit_state == "open"
    assert metric("skyfare_connector_circuit_state", connector) == 2
    with pytest.raises(CircuitOpen) as refused:
        await connector.search(QUERY, timeout=1.0)
    assert refused.value.status == "circuit_open"
    assert len(inner.calls) == 4
    assert counted(connector, "circuit_open") == 1


async def test_ten_thousand_calls_on_an_open_circuit_never_wait_nor_reach_the_airline() -> None:
    inner = airline(then=Step(error=ConnectorUnavailable))
    connector = ResilientConnector(inner, NO_RETRY)
    for _ in range(4):
        with pytest.raises(ConnectorUnavailable):
            await connector.search(QUERY, timeout=1.0)
    for _ in range(10_000):
        with pytest.raises(CircuitOpen):
            run_without_suspending(connector.search(QUERY, timeout=1.0))
    assert len(inner.calls) == 4
    assert counted(connector, "circuit_open") == 10_000


@pytest.mark.parametrize("rejection", [SoldOut, InvalidRequest])
async def test_an_airline_saying_no_does_not_count_as_a_failure(
    rejection: type[Exception],
) -> None:
    inner = airline(then=Step(error=rejection))
    connector = ResilientConnector(inner, NO_RETRY)
    for _ in range(10):
        with pytest.raises(rejection):
            await connector.price("offer", timeout=1.0)
    status = connector.status()
    assert (status.circuit_state, status.calls, status.error_rate) == ("closed", 10, 0.0)
    assert len(inner.calls) == 10  # and never retried
    assert counted(connector, "rejected", "price") == 10


async def test_unexpected_errors_count_as_failures_and_are_not_retried() -> None:
    inner = airline(then=Step(error=ValueError))
    connector = ResilientConnector(inner, ResiliencePolicy(min_calls=4))
    for _ in range(4):
        with pytest.raises(ValueError, match="scripted"):
            await connector.search(QUERY, timeout=1.0)
    assert len(inner.calls) == 4
    assert connector.status().circuit_state == "open"


async def test_half_open_lets_exactly_the_probe_limit_through_then_closes() -> None:
    clock = FakeClock()
    inner = airline(*[Step(error=ConnectorUnavailable)] * 4, then=Step(delay=0.01), clock=clock)
    policy = ResiliencePolicy(retries=0, min_calls=4, half_open_max_probes=2)
    connector = ResilientConnector(inner, policy, clock=clock)
    for _ in range(4):
        with pytest.raises(ConnectorUnavailable):
            await connector.search(QUERY, timeout=1.0)
    clock.now += 6.1
    results = await asyncio.gather(
        *(connector.search(QUERY, timeout=1.0) for _ in range(5)), return_exceptions=True
    )
    assert sum(r == ["ok"] for r in results) == 2
    assert sum(isinstance(r, CircuitOpen) for r in results) == 3
    assert len(inner.calls) == 6
    assert connector.status().circuit_state == "closed"
    assert metric("skyfare_connector_circuit_state", connector) == 0


async def test_a_full_bulkhead_skips_the_call_without_asking_the_airline() -> None:
    inner = airline(then=Step(delay=0.05))
    connector = ResilientConnector(inner, ResiliencePolicy(max_concurrency=1))
    first = asyncio.create_task(connector.search(QUERY, timeout=1.0))
    await asyncio.sleep(0)
    assert connector.status().in_flight == 1
    with pytest.raises(BulkheadFull) as refused:
        await connector.search(QUERY, timeout=1.0)
    assert refused.value.status == "skipped"
    assert await first == ["ok"]
    assert len(inner.calls) == 1
    assert counted(connector, "bulkhead_full") == 1
    status = connector.status()
    assert (status.calls, status.error_rate, status.in_flight) == (1, 0.0, 0)


@pytest.mark.parametrize("operation", ["search", "price", "retrieve"])
@pytest.mark.parametrize("transient", [ConnectorUnavailable, ConnectorTimeout])
async def test_idempotent_calls_are_retried_after_a_transient_failure(
    operation: str, transient: type[Exception]
) -> None:
    inner = airline(Step(error=transient, label="first"), Step(label="second"))
    connector = ResilientConnector(inner, ResiliencePolicy(retries=1, backoff_base_s=0.001))
    result = await call(connector, operation)
    assert result in (["second"], "second")
    assert [op for op, _ in inner.calls] == [operation, operation]
    assert metric("skyfare_connector_retries_total", connector) == 1
    assert connector.status().error_rate == 0.0  # the call succeeded in the end


@pytest.mark.parametrize("operation", ["hold", "ticket", "cancel"])
async def test_booking_calls_are_never_retried(operation: str) -> None:
    inner = airline(Step(error=ConnectorUnavailable))
    connector = ResilientConnector(inner, ResiliencePolicy(retries=3, backoff_base_s=0.001))
    with pytest.raises(ConnectorUnavailable):
        await call(connector, operation)
    assert len(inner.calls) == 1
    assert metric("skyfare_connector_retries_total", connector) == 0


async def test_retries_stop_within_the_deadline() -> None:
    # Each failed attempt moves the connector's clock by 10 ms, so the deadline is read on a
    # clock the test controls (the real backoff sleeps are 2-4 ms and do not move it).
    clock = FakeClock()
    inner = airline(then=Step(error=ConnectorUnavailable, advance=0.01), clock=clock)
    policy = ResiliencePolicy(
        retries=1000, backoff_base_s=0.002, backoff_max_s=0.004, min_attempt_s=0.01
    )
    connector = ResilientConnector(inner, policy, clock=clock)
    with pytest.raises(ConnectorUnavailable):
        await connector.search(QUERY, timeout=0.06)
    # Attempts at 0, 10, 20, 30 and 40 ms; after the fifth, 20 ms less a backoff is left, under
    # min_attempt_s once the backoff is counted: it stops, never starting one it cannot finish.
    assert [round(timeout, 6) for _, timeout in inner.calls] == [0.06, 0.05, 0.04, 0.03, 0.02]


async def test_no_retry_when_the_deadline_leaves_no_time_for_one() -> None:
    inner = airline(then=Step(error=ConnectorUnavailable))
    connector = ResilientConnector(inner, ResiliencePolicy(retries=3, min_attempt_s=0.05))
    with pytest.raises(ConnectorUnavailable):
        await connector.search(QUERY, timeout=0.04)
    assert len(inner.calls) == 1


async def warm_up(connector: ResilientConnector, samples: int) -> None:
    for _ in range(samples):
        await connector.search(QUERY, timeout=1.0)


async def test_a_search_slower_than_p95_is_hedged_and_the_first_answer_wins() -> None:
    inner = airline(*[Step()] * 20, Step(delay=30, label="slow"), Step(label="hedge"))
    connector = ResilientConnector(inner, ResiliencePolicy(hedge=True, hedge_min_samples=20))
    await warm_up(connector, 20)
    assert await connector.search(QUERY, timeout=1.0) == ["hedge"]
    assert inner.cancelled == ["slow"]
    assert len(inner.calls) == 22
    assert metric("skyfare_connector_hedges_total", connector) == 1
    assert counted(connector, "cancelled") == 1
    status = connector.status()
    assert (status.in_flight, status.calls, status.error_rate) == (0, 21, 0.0)


async def test_the_primary_still_wins_when_the_hedge_fails() -> None:
    steps = [*[Step()] * 20, Step(delay=0.05, label="primary"), Step(error=ConnectorUnavailable)]
    inner = airline(*steps)
    connector = ResilientConnector(inner, ResiliencePolicy(hedge=True, hedge_min_samples=20))
    await warm_up(connector, 20)
    assert await connector.search(QUERY, timeout=1.0) == ["primary"]
    assert len(inner.calls) == 22


@pytest.mark.parametrize(
    ("policy", "timeout"),
    [
        (ResiliencePolicy(hedge=False), 1.0),  # switched off
        (ResiliencePolicy(hedge=True, hedge_min_samples=50), 1.0),  # p95 not known yet
        (ResiliencePolicy(hedge=True, hedge_min_samples=20), 1.0),  # no room for a second try
    ],
)
async def test_no_hedge_unless_enabled_known_and_affordable(
    policy: ResiliencePolicy, timeout: float
) -> None:
    # The warm-up calls "take" 0.5 s each on the connector's clock: p95 is 0.5 s, and a 1 s
    # deadline leaves no room for a second try. The last call really takes 0.6 s, past p95 (a
    # hedge would be tempted) and 0.4 s inside the real 1 s timeout, which a busy machine keeps.
    clock = FakeClock()
    inner = airline(*[Step(advance=0.5)] * 20, Step(delay=0.6, label="only"), clock=clock)
    connector = ResilientConnector(inner, policy, clock=clock)
    await warm_up(connector, 20)
    assert await connector.search(QUERY, timeout=timeout) == ["only"]
    assert len(inner.calls) == 21
    assert metric("skyfare_connector_hedges_total", connector) == 0


async def test_cancelled_at_the_deadline_counts_as_a_failure_and_propagates() -> None:
    # The connector's clock is a fake one, moved by hand: with real sleeps, a busy machine could
    # start the call late enough that the cancel came well before its deadline (a flaky test).
    clock = FakeClock()
    inner = airline(then=Step(delay=60))
    policy = ResiliencePolicy(retries=0, min_calls=2, deadline_slack_s=0.5)
    connector = ResilientConnector(inner, policy, clock=clock)
    for _ in range(2):
        task = asyncio.create_task(connector.search(QUERY, timeout=3.0))
        await asyncio.sleep(0)
        assert connector.status().in_flight == 1  # the call has started: its deadline is set
        clock.now += 2.6  # the search engine's deadline: less than the slack is left
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    status = connector.status()
    assert (status.circuit_state, status.in_flight) == ("open", 0)
    assert counted(connector, "timeout") == 2


async def test_cancelled_long_before_the_deadline_says_nothing_about_the_airline() -> None:
    inner = airline(then=Step(delay=5))
    connector = ResilientConnector(inner, ResiliencePolicy(min_calls=1))
    task = asyncio.create_task(connector.search(QUERY, timeout=10.0))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    status = connector.status()
    assert (status.circuit_state, status.calls, status.in_flight) == ("closed", 0, 0)
    assert counted(connector, "cancelled") == 1


async def test_status_reports_window_error_rate_and_latency_percentiles() -> None:
    clock = FakeClock()
    steps = [Step(advance=ms / 1000) for ms in (10, 20, 30, 40)]
    inner = airline(*steps, Step(error=ConnectorUnavailable, advance=0.001), clock=clock)
    connector = ResilientConnector(inner, NO_RETRY, clock=clock)
    for _ in range(4):
        await connector.search(QUERY, timeout=1.0)
    with pytest.raises(ConnectorUnavailable):
        await connector.search(QUERY, timeout=1.0)
    status = connector.status()
    assert (status.name, status.kind, status.circuit_state) == (inner.name, "rest", "closed")
    assert (status.calls, status.error_rate, status.in_flight) == (5, 0.2, 0)
    assert status.p50_ms == pytest.approx(20.0)
    assert status.p99_ms == pytest.approx(40.0)
    clock.now += 11
    assert connector.status().calls == 0


async def test_no_time_left_means_no_call_and_no_blame() -> None:
    inner = airline()
    connector = ResilientConnector(inner, ResiliencePolicy(min_calls=1))
    with pytest.raises(ConnectorTimeout):
        await connector.search(QUERY, timeout=0.0)
    assert inner.calls == []
    assert connector.status().calls == 0
