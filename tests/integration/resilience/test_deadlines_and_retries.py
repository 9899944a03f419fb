"""Deadlines against a hanging airline, and retries against a failing one, over real sockets.

The sim's hang lasts forever, so a search that waited for it hangs and pytest-timeout fails the
test: what a search reports (each connector's status, the calls that reached the airline) says
what happened, never the time it took.
"""

from connectors.resilience import ResiliencePolicy
from search.model import SearchResponse
from tests.integration.resilience.conftest import (
    UNDER_TEST_SLUG,
    MakeRig,
    Rig,
    lhr_jfk,
    metric,
    report,
)

# Room for a request to reach the sim on a busy machine before the deadline cuts it.
DEADLINE_MS = 300


async def counted_search(rig: Rig, deadline_ms: int) -> tuple[SearchResponse, int]:
    """A search, and how many calls of it reached the airline under test."""
    request = lhr_jfk(deadline_ms)
    before = await rig.reached()
    response = await rig.service.search(request)
    return response, await rig.reached() - before


async def test_hanging_airline_never_pushes_a_search_past_its_deadline(make_rig: MakeRig) -> None:
    # The default retry: a hanging attempt spends the whole budget, so none may follow it.
    rig = await make_rig(ResiliencePolicy(retries=1, min_calls=100, window_s=2.0))
    await rig.sim.set_profile(UNDER_TEST_SLUG, hang_rate=1.0)

    for _ in range(5):
        response, reached = await counted_search(rig, DEADLINE_MS)

        assert report(response)[0] == "timeout"
        assert reached == 1
        assert report(response, "rest-britannia")[0] == "ok"
        assert response.offers


async def test_hanging_calls_count_as_failures_and_open_the_breaker(make_rig: MakeRig) -> None:
    rig = await make_rig(ResiliencePolicy(retries=0, min_calls=5, window_s=2.0, open_s=5.0))
    await rig.sim.set_profile(UNDER_TEST_SLUG, hang_rate=1.0)

    timeouts = [report((await counted_search(rig, DEADLINE_MS))[0])[0] for _ in range(5)]
    status = rig.status()
    response, reached = await counted_search(rig, DEADLINE_MS)

    assert timeouts == ["timeout"] * 5
    assert (status.circuit_state, status.calls, status.error_rate) == ("open", 5, 1.0)
    assert report(response)[0] == "circuit_open"
    assert reached == 0  # nobody waits for the hanging airline any more


async def test_retries_against_a_failing_airline_stop_at_the_deadline(make_rig: MakeRig) -> None:
    # min_attempt_s is far above what a 503 from the sim takes even on a busy machine, so no
    # attempt is cut by the deadline: the search ends on the airline's own error. (At 0.15 s
    # of a 0.5 s deadline, a 503 beside 'stress --cpu 2' once took longer: three times both.)
    policy = ResiliencePolicy(
        retries=3, backoff_base_s=0.3, backoff_max_s=2.5, min_attempt_s=0.45, min_calls=100
    )
    rig = await make_rig(policy)
    await rig.sim.set_profile(UNDER_TEST_SLUG, error_rate=1.0)
    retried = metric("skyfare_connector_retries_total")
    attempts = []

    for _ in range(5):
        response, reached = await counted_search(rig, 1500)

        # Given up in time, with the airline's last error: no attempt was cut by the deadline.
        assert report(response)[0] == "error"
        assert 1 <= reached <= policy.retries + 1
        attempts.append(reached)

    assert sum(attempts) > 5  # it did retry
    assert metric("skyfare_connector_retries_total") - retried == sum(attempts) - 5


async def test_retries_rescue_most_searches_of_a_flaky_airline(make_rig: MakeRig) -> None:
    policy = ResiliencePolicy(retries=2, backoff_base_s=0.005, backoff_max_s=0.02, min_calls=100)
    rig = await make_rig(policy)
    await rig.sim.set_profile(UNDER_TEST_SLUG, error_rate=0.5)
    statuses = []
    attempts = []

    for _ in range(20):
        # A deadline no busy machine reaches: the outcome is the airline's, never a timeout.
        response, reached = await counted_search(rig, 2000)

        assert 1 <= reached <= policy.retries + 1
        statuses.append(report(response)[0])
        attempts.append(reached)

    # One attempt alone succeeds half the time; three fail together an eighth of the time.
    assert statuses.count("ok") >= 14
    assert sum(attempts) > 20
    assert set(statuses) <= {"ok", "error"}
    # The breaker hears one verdict per search, however many attempts it took.
    status = rig.status()
    assert status.calls == 20
    assert status.error_rate == statuses.count("error") / 20
