"""The circuit breaker against a real failing airline: opening, skipping, probing, exporting."""

import asyncio

import pytest

from connectors.errors import CircuitOpen
from connectors.resilience import ResiliencePolicy
from tests.integration.resilience.conftest import (
    UNDER_TEST,
    UNDER_TEST_SLUG,
    MakeRig,
    Rig,
    lhr_jfk,
    metric,
    offers_from,
    report,
)
from tests.support.suspend import run_without_suspending

MIN_CALLS = 10
# Long enough that a busy machine still makes its refused searches before the breaker half-opens.
OPEN_S = 1.0
# Waiting out the open interval is the one sleep the breaker's design asks for (open_jitter=0).
PAST_OPEN_S = OPEN_S + 0.05
STATE = "skyfare_connector_circuit_state"


def breaker(open_s: float = OPEN_S) -> ResiliencePolicy:
    # retries=0: one search is one call at the airline and one verdict for the breaker.
    return ResiliencePolicy(
        window_s=2.0,
        min_calls=MIN_CALLS,
        failure_rate_threshold=0.5,
        open_s=open_s,
        open_jitter=0.0,
        half_open_max_probes=2,
        retries=0,
    )


async def open_circuit(rig: Rig, *, error_rate: float, max_searches: int = 40) -> int:
    """Search until the breaker opens; the calls that reached the airline by then."""
    await rig.sim.set_profile(UNDER_TEST_SLUG, error_rate=error_rate)
    for _ in range(max_searches):
        await rig.search()
        if rig.status().circuit_state == "open":
            return await rig.reached()
    pytest.fail(f"breaker still {rig.status().circuit_state} after {max_searches} searches")


async def test_airline_failing_most_calls_opens_its_breaker_after_min_calls(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(breaker(open_s=5.0))

    reached = await open_circuit(rig, error_rate=0.6)

    status = rig.status()
    assert reached >= MIN_CALLS
    assert status.calls == reached  # every call counted, all within the window
    assert status.error_rate >= 0.5


async def test_open_breaker_skips_the_airline_without_calling_it(make_rig: MakeRig) -> None:
    rig = await make_rig(breaker(open_s=5.0))
    await open_circuit(rig, error_rate=0.6)
    reached = await rig.reached()

    responses = [await rig.search() for _ in range(5)]

    assert [report(r)[0] for r in responses] == ["circuit_open"] * 5
    assert all(report(r, "rest-britannia")[0] == "ok" and r.offers for r in responses)
    assert all(r.meta.partial for r in responses)
    assert await rig.reached() == reached


async def test_open_breaker_refuses_a_call_without_waiting_for_anything(make_rig: MakeRig) -> None:
    rig = await make_rig(breaker(open_s=5.0))
    await open_circuit(rig, error_rate=0.6)
    reached = await rig.reached()
    query = lhr_jfk().flight_query()

    for _ in range(20):
        with pytest.raises(CircuitOpen):
            # Never suspends: no socket, no sleep, no lock (its speed is bench/'s business).
            run_without_suspending(rig.airline.search(query, timeout=1.0))

    assert await rig.reached() == reached


async def test_half_open_probes_close_the_breaker_when_the_airline_recovers(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(breaker())
    await open_circuit(rig, error_rate=1.0)
    await rig.sim.set_profile(UNDER_TEST_SLUG, error_rate=0.0)
    reached = await rig.reached()
    await asyncio.sleep(PAST_OPEN_S)

    first = await rig.search()
    probing = rig.status().circuit_state
    second = await rig.search()  # half_open_max_probes successes close it
    after = await rig.search()

    assert (report(first)[0], probing, report(second)[0]) == ("ok", "half_open", "ok")
    assert rig.status().circuit_state == "closed"
    assert report(after)[0] == "ok"
    assert offers_from(after) > 0
    assert await rig.reached() == reached + 3


async def test_probe_failure_reopens_the_breaker_while_the_airline_still_fails(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(breaker())
    await open_circuit(rig, error_rate=1.0)
    reached = await rig.reached()
    await asyncio.sleep(PAST_OPEN_S)

    probe = await rig.search()
    refused = [await rig.search() for _ in range(3)]

    assert report(probe)[0] == "error"
    assert rig.status().circuit_state == "open"
    assert [report(r)[0] for r in refused] == ["circuit_open"] * 3
    assert await rig.reached() == reached + 1  # the probe, and nothing after it


async def test_half_open_admits_at_most_the_configured_concurrent_probes(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(breaker())
    await open_circuit(rig, error_rate=1.0)
    # Slow enough that the three searches overlap at the airline.
    await rig.sim.set_profile(UNDER_TEST_SLUG, error_rate=0.0, latency_ms=50, latency_sigma=0)
    reached = await rig.reached()
    await asyncio.sleep(PAST_OPEN_S)

    # A deadline no busy machine reaches: the default 300 ms timed both probes out on one.
    responses = await asyncio.gather(*(rig.search(deadline_ms=8000) for _ in range(3)))

    assert sorted(report(r)[0] for r in responses) == ["circuit_open", "ok", "ok"]
    assert await rig.reached() == reached + 2
    assert rig.status().circuit_state == "closed"


async def test_breaker_state_is_exported_as_a_gauge_and_in_connector_statuses(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(breaker())
    assert metric(STATE) == 0
    await open_circuit(rig, error_rate=1.0)

    opened = {s.name: s for s in rig.service.connector_statuses()}[UNDER_TEST]
    gauge_open = metric(STATE)
    await rig.sim.set_profile(UNDER_TEST_SLUG, error_rate=0.0)
    await asyncio.sleep(PAST_OPEN_S)
    await rig.search()
    gauge_probing = metric(STATE)
    await rig.search()

    closed = {s.name: s for s in rig.service.connector_statuses()}[UNDER_TEST]
    assert gauge_open == 2
    assert (opened.circuit_state, opened.error_rate, opened.calls) == ("open", 1.0, MIN_CALLS)
    assert gauge_probing == 1
    assert metric(STATE) == 0
    assert (closed.circuit_state, closed.error_rate, closed.calls) == ("closed", 0.0, 0)
    assert metric(STATE, "rest-britannia") == 0
