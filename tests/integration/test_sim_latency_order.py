"""When a sim airline does its work within its latency: a call that only reads is answered from
the state at its arrival (then sent when the latency is up, as a real airline's answer), a call
that changes something acts after the latency (tests of crashes between an airline's hold and
Skyfare's bookkeeping rely on that order). Raw HTTP against the real sim over sockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.support.flights import day
from tests.support.sim import SimHandle

SLUG = "britannia"
LATENCY_MS = 400  # long enough to change the state while the call waits out its latency
SHOPPING = {"journeys": [{"from": "LHR", "to": "JFK", "date": day(30).isoformat()}]}


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as client:
        yield client


async def _post(session: aiohttp.ClientSession, url: str, body: object) -> Any:
    async with session.post(url, json=body) as response:
        return response.status, await response.json()


async def _arrived(sim: SimHandle, endpoint: str, count: int) -> None:
    """Until the sim has counted `count` calls of `endpoint` (counted when they arrive)."""
    while (await sim.stats())[SLUG][endpoint] < count:  # noqa: ASYNC110 (another process)
        await asyncio.sleep(0.005)


def _leg(fare: dict[str, Any]) -> dict[str, str]:
    leg = fare["journeys"][0]["legs"][0]
    return {"carrier": leg["carrier"], "number": leg["number"], "date": day(30).isoformat()}


async def _seats_left(session: aiohttp.ClientSession, sim: SimHandle, leg: object) -> int:
    async with session.get(f"{sim.url}/_sim/inventory", params=leg) as response:
        return int((await response.json())["seats_left"])


def _flights(fare: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Which flights a fare sells: the same in two answers, whose fare ids differ (each id signs
    its quote's `valid_until`, in seconds: two answers a second apart give two ids)."""
    return tuple((leg["carrier"], leg["number"]) for j in fare["journeys"] for leg in j["legs"])


def _nonstop(fares: list[dict[str, Any]]) -> dict[str, Any]:
    return next(f for f in fares if len(f["journeys"][0]["legs"]) == 1)


async def test_a_search_answers_from_the_seats_at_its_arrival_not_after_its_latency(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    url = f"{sim.url}/rest/{SLUG}/shopping"
    _, before = await _post(session, url, SHOPPING)
    fare = _nonstop(before["fares"])
    await sim.set_profile(SLUG, latency_ms=LATENCY_MS, latency_sigma=0)

    waiting = asyncio.create_task(_post(session, url, SHOPPING))
    await _arrived(sim, "shopping", 2)
    await sim.set_seats_left(_leg(fare), 0)
    status, answer = await waiting

    assert status == 200
    assert _flights(fare) in map(_flights, answer["fares"])  # sold out after it came
    _, after = await _post(session, url, SHOPPING)
    assert _flights(fare) not in map(_flights, after["fares"])


async def test_a_hold_takes_its_seats_after_its_latency(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    _, shopped = await _post(session, f"{sim.url}/rest/{SLUG}/shopping", SHOPPING)
    fare = _nonstop(shopped["fares"])
    seats = await _seats_left(session, sim, {**_leg(fare), "cabin": "Y"})
    await sim.set_profile(SLUG, latency_ms=LATENCY_MS, latency_sigma=0)
    passenger = {
        "type": "ADT",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "birth_date": "1990-12-10",
        "gender": "F",
    }
    body = {"fare_id": fare["fare_id"], "reference": "ord_latency_1", "passengers": [passenger]}

    waiting = asyncio.create_task(_post(session, f"{sim.url}/rest/{SLUG}/bookings", body))
    await _arrived(sim, "bookings", 1)
    while_waiting = await _seats_left(session, sim, {**_leg(fare), "cabin": "Y"})
    status, _ = await waiting

    assert (while_waiting, status) == (seats, 201)
    assert await _seats_left(session, sim, {**_leg(fare), "cabin": "Y"}) == seats - 1
