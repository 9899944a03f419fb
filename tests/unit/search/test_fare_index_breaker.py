"""The fare index's read breaker (search/fare_index_breaker.py): opened by a timed-out read,
failing fast while open, one probe after the cool-down; a fast failure opens nothing."""

from __future__ import annotations

import asyncio
import random

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeout

from search.fare_index_breaker import OPEN_S, FareIndexUnavailable, ReadBreaker
from tests.unit.connectors.test_breaker import FakeClock


def _breaker() -> tuple[ReadBreaker, FakeClock]:
    clock = FakeClock()
    return ReadBreaker(clock=clock, rng=random.Random(3)), clock


async def _read(breaker: ReadBreaker, failure: BaseException | None = None) -> str:
    async with breaker.read("lookup"):
        if failure is not None:
            raise failure
        return "answered"


@pytest.mark.parametrize("timeout", [TimeoutError(), RedisTimeout("socket timed out")])
async def test_one_timed_out_read_opens_it_and_the_next_reads_are_not_sent(
    timeout: BaseException,
) -> None:
    breaker, _ = _breaker()
    await _read(breaker)

    with pytest.raises(type(timeout)):
        await _read(breaker, timeout)

    assert breaker.state == "open"
    sent = []
    for operation in ("lookup", "month"):
        with pytest.raises(FareIndexUnavailable):
            async with breaker.read(operation):
                sent.append(operation)
    assert sent == []


async def test_a_read_that_fails_at_once_opens_nothing() -> None:
    breaker, _ = _breaker()

    for _ in range(5):
        with pytest.raises(RedisConnectionError):
            await _read(breaker, RedisConnectionError("refused"))

    assert breaker.state == "closed"
    assert await _read(breaker) == "answered"


async def test_after_the_cool_down_one_probe_goes_and_its_answer_closes_it() -> None:
    breaker, clock = _breaker()
    with pytest.raises(TimeoutError):
        await _read(breaker, TimeoutError())
    clock.now += OPEN_S * 1.25  # past the jitter too
    answering = asyncio.Event()

    async def probe() -> str:
        async with breaker.read("lookup"):
            await answering.wait()
            return "answered"

    probing = asyncio.create_task(probe())
    await asyncio.sleep(0)  # the probe is in flight

    assert breaker.state == "half_open"
    with pytest.raises(FareIndexUnavailable):  # one probe at a time: the others fail fast
        await _read(breaker)
    answering.set()
    assert await probing == "answered"
    assert breaker.state == "closed"


async def test_a_probe_that_times_out_opens_it_again() -> None:
    breaker, clock = _breaker()
    with pytest.raises(TimeoutError):
        await _read(breaker, TimeoutError())
    clock.now += OPEN_S * 1.25

    with pytest.raises(TimeoutError):
        await _read(breaker, TimeoutError())

    assert breaker.state == "open"
    with pytest.raises(FareIndexUnavailable):
        await _read(breaker)


async def test_a_probe_abandoned_by_its_caller_lets_the_next_read_probe() -> None:
    breaker, clock = _breaker()
    with pytest.raises(TimeoutError):
        await _read(breaker, TimeoutError())
    clock.now += OPEN_S * 1.25

    with pytest.raises(asyncio.CancelledError):
        await _read(breaker, asyncio.CancelledError())

    assert await _read(breaker) == "answered"
    assert breaker.state == "closed"
