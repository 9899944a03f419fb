"""Single-flight: concurrent calls with one key share one run of the work."""

import asyncio

import pytest

from cache.single_flight import SingleFlight


async def test_concurrent_calls_with_one_key_run_the_work_once() -> None:
    flights: SingleFlight[int] = SingleFlight()
    release = asyncio.Event()
    runs = 0

    async def work() -> int:
        nonlocal runs
        runs += 1
        await release.wait()
        return 42

    calls = [asyncio.create_task(flights.run("k", work)) for _ in range(20)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*calls) == [42] * 20
    assert runs == 1
    assert len(flights) == 0


async def test_a_landed_flight_is_not_reused() -> None:
    flights: SingleFlight[int] = SingleFlight()
    runs = 0

    async def work() -> int:
        nonlocal runs
        runs += 1
        return runs

    assert await flights.run("k", work) == 1
    assert await flights.run("k", work) == 2


async def test_every_caller_sees_the_error_of_the_work() -> None:
    flights: SingleFlight[int] = SingleFlight()

    async def work() -> int:
        await asyncio.sleep(0)
        raise ValueError("boom")

    results = await asyncio.gather(
        flights.run("k", work), flights.run("k", work), return_exceptions=True
    )
    assert [type(r) for r in results] == [ValueError, ValueError]


async def test_a_caller_that_gives_up_does_not_cancel_the_others() -> None:
    flights: SingleFlight[str] = SingleFlight()
    release = asyncio.Event()

    async def work() -> str:
        await release.wait()
        return "done"

    quitter = asyncio.create_task(flights.run("k", work))
    stayer = asyncio.create_task(flights.run("k", work))
    await asyncio.sleep(0)
    quitter.cancel()
    release.set()
    assert await stayer == "done"
    with pytest.raises(asyncio.CancelledError):
        await quitter
