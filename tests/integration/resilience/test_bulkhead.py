"""The bulkhead against a slow airline: excess concurrent searches skip it, without calling it."""

import asyncio

from connectors.resilience import ResiliencePolicy
from tests.integration.resilience.conftest import UNDER_TEST_SLUG, MakeRig, lhr_jfk, report

LATENCY_MS = 100
# The admitted calls must answer: a deadline far beyond the latency, so that a busy machine's
# slowness (a search past 300 ms under a load of 20) is not read as the airline timing out.
DEADLINE_MS = 5000


async def test_concurrent_searches_beyond_the_bulkhead_skip_the_airline(make_rig: MakeRig) -> None:
    rig = await make_rig(ResiliencePolicy(max_concurrency=2, retries=0))
    await rig.sim.set_profile(UNDER_TEST_SLUG, latency_ms=LATENCY_MS, latency_sigma=0)
    reached = await rig.reached()
    request = lhr_jfk(DEADLINE_MS)

    responses = await asyncio.gather(*(rig.service.search(request) for _ in range(5)))

    reports = sorted(report(r) for r in responses)
    assert [status for status, _ in reports] == ["ok", "ok", "skipped", "skipped", "skipped"]
    assert await rig.reached() == reached + 2  # only the admitted calls reached the airline
    # The skipped searches still answer, with the other airline's offers.
    skipped = [r for r in responses if report(r)[0] == "skipped"]
    assert all(r.offers for r in skipped)


async def test_skipped_calls_leave_the_breaker_and_the_slots_as_they_were(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(ResiliencePolicy(max_concurrency=2, retries=0, min_calls=3))
    await rig.sim.set_profile(UNDER_TEST_SLUG, latency_ms=LATENCY_MS, latency_sigma=0)
    request = lhr_jfk(DEADLINE_MS)

    await asyncio.gather(*(rig.service.search(request) for _ in range(5)))
    status = rig.status()
    after = await rig.service.search(request)

    # Three refusals are not failures of the airline: min_calls=3 would have opened on them.
    assert (status.circuit_state, status.calls, status.error_rate) == ("closed", 2, 0.0)
    assert status.in_flight == 0
    assert report(after)[0] == "ok"
