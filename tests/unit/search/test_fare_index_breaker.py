"""The fare index's read breaker (search/fare_index_breaker.py): opened by `failures` timed-out
reads in a row (2 unless set), failing fast while open for `open_s`, saying how long is left,
one probe after the cool-down; a fast failure opens nothing. Its clock is moved by hand."""

from __future__ import annotations

import asyncio
import math
import random

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeout

from connectors.resilience import ResiliencePolicy
from search.fare_index_breaker import (
    FAILURES,
    OPEN_S,
    FareIndexUnavailable,
    ReadBreaker,
    read_policy,
)
from tests.unit.connectors.test_breaker import FakeClock


def _breaker(policy: ResiliencePolicy | None = None) -> tuple[ReadBreaker, FakeClock]:
    clock = FakeClock()
    return ReadBreaker(policy=policy, clock=clock, rng=random.Random(3)), clock


async def _read(breaker: ReadBreaker, failure: BaseException | None = None) -> str:
    async with breaker.read("lookup"):
        if failure is not None:
            raise failure
        return "answered"


async def _time_out(breaker: ReadBreaker, times: int = FAILURES) -> None:
    for _ in range(times):
        with pytest.raises(TimeoutError):
            await _read(breaker, TimeoutError())


async def _refused(breaker: ReadBreaker) -> FareIndexUnavailable:
    with pytest.raises(FareIndexUnavailable) as refused:
        await _read(breaker)
    return refused.value


def test_by_default_two_timeouts_in_a_row_open_it_for_two_seconds() -> None:
    assert (FAILURES, OPEN_S) == (2, 2.0)


@pytest.mark.parametrize("timeout", [TimeoutError(), RedisTimeout("socket timed out")])
async def test_two_timed_out_reads_in_a_row_open_it_and_the_next_reads_are_not_sent(
    timeout: BaseException,
) -> None:
    breaker, _ = _breaker()
    await _read(breaker)

    with pytest.raises(type(timeout)):
        await _read(breaker, timeout)
    assert breaker.state == "closed"  # one stall opens nothing
    with pytest.raises(type(timeout)):
        await _read(breaker, timeout)

    assert breaker.state == "open"
    sent = []
    for operation in ("lookup", "month"):
        with pytest.raises(FareIndexUnavailable):
            async with breaker.read(operation):
                sent.append(operation)
    assert sent == []


async def test_stray_stalls_among_answered_reads_never_open_it() -> None:
    breaker, clock = _breaker()

    for _ in range(5):  # a stall every second, each followed by reads that answer
        await _time_out(breaker, 1)
        assert await _read(breaker) == "answered"
        assert await _read(breaker) == "answered"
        clock.now += 1

    assert breaker.state == "closed"


async def test_the_number_of_timeouts_in_a_row_is_a_setting() -> None:
    breaker, _ = _breaker(read_policy(failures=3))

    await _time_out(breaker, 2)
    assert breaker.state == "closed"
    await _time_out(breaker, 1)

    assert breaker.state == "open"


async def test_the_open_time_is_a_setting() -> None:
    breaker, clock = _breaker(read_policy(open_s=10.0))
    await _time_out(breaker)

    clock.now += 10.0 * 0.8 - 0.01  # just short of the shortest jittered cool-down
    await _refused(breaker)
    clock.now += 10.0 * 0.4 + 0.02  # past the longest

    assert await _read(breaker) == "answered"
    assert breaker.state == "closed"


async def test_a_refused_read_says_how_long_until_the_probe() -> None:
    breaker, clock = _breaker(read_policy(open_s=10.0))
    await _time_out(breaker)

    first = (await _refused(breaker)).retry_after_s
    assert 8.0 <= first <= 12.0  # open_s ± 20 %
    clock.now += 3.0
    assert (await _refused(breaker)).retry_after_s == pytest.approx(first - 3.0)
    assert math.ceil(breaker.probe_in_s()) == math.ceil(first - 3.0)


async def test_a_read_that_fails_at_once_opens_nothing() -> None:
    breaker, _ = _breaker()

    for _ in range(5):
        with pytest.raises(RedisConnectionError):
            await _read(breaker, RedisConnectionError("refused"))

    assert breaker.state == "closed"
    assert await _read(breaker) == "answered"


async def test_after_the_cool_down_one_probe_goes_and_its_answer_closes_it() -> None:
    breaker, clock = _breaker()
    await _time_out(breaker)
    clock.now += OPEN_S * 1.25  # past the jitter too
    answering = asyncio.Event()

    async def probe() -> str:
        async with breaker.read("lookup"):
            await answering.wait()
            return "answered"

    probing = asyncio.create_task(probe())
    await asyncio.sleep(0)  # the probe is in flight

    assert breaker.state == "half_open"
    refused = await _refused(breaker)  # one probe at a time: the others fail fast,
    assert refused.retry_after_s == 0.0  # told to retry at once (the 503 says 1 s)
    answering.set()
    assert await probing == "answered"
    assert breaker.state == "closed"


async def test_a_probe_that_times_out_opens_it_again_on_its_own() -> None:
    breaker, clock = _breaker()
    await _time_out(breaker)
    clock.now += OPEN_S * 1.25

    await _time_out(breaker, 1)

    assert breaker.state == "open"
    await _refused(breaker)


async def test_a_probe_abandoned_by_its_caller_lets_the_next_read_probe() -> None:
    breaker, clock = _breaker()
    await _time_out(breaker)
    clock.now += OPEN_S * 1.25

    with pytest.raises(asyncio.CancelledError):
        await _read(breaker, asyncio.CancelledError())

    assert await _read(breaker) == "answered"
    assert breaker.state == "closed"
