"""The fare cache through the whole app: hits, single-flight, stale-while-revalidate, Redis down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import msgspec
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.embedded import EmbeddedRedis
from skyfare.keys import FARE_CACHE
from skyfare.settings import Settings
from tests.support.flights import in_days
from tests.support.sim import SimHandle

Client = TestClient[web.Request, web.Application]


def _params(days: int = 30, **extra: str) -> dict[str, str]:
    return {"origin": "LHR", "destination": "JFK", "departure_date": in_days(days), **extra}


@asynccontextmanager
async def _client(settings: Settings, sim: SimHandle, **overrides: Any) -> AsyncIterator[Client]:
    configured = msgspec.structs.replace(settings, connectors=sim.connector_settings(), **overrides)
    async with TestClient(TestServer(create_app(configured))) as client:
        yield client


async def _search(client: Client, **params: str) -> tuple[str, dict[str, Any]]:
    response = await client.get("/v1/search", params=params)
    body = await response.json()
    assert response.status == 200, body
    assert body["meta"]["cache"] == response.headers["X-Cache"].lower()
    return response.headers["X-Cache"], body


async def _shopping(sim: SimHandle) -> dict[str, int]:
    return {slug: counts["shopping"] for slug, counts in (await sim.stats()).items()}


async def test_a_repeated_search_is_a_hit_with_the_same_offers(
    settings: Settings, sim: SimHandle
) -> None:
    async with _client(settings, sim) as client:
        first, miss = await _search(client, **_params())
        second, hit = await _search(client, **_params())

    assert (first, second) == ("MISS", "HIT")
    assert hit["offers"] == miss["offers"]
    assert hit["meta"]["connectors"] == miss["meta"]["connectors"]
    assert hit["search_id"] != miss["search_id"]


async def test_cache_false_searches_the_airlines_again(settings: Settings, sim: SimHandle) -> None:
    slices = [{"origin": "LHR", "destination": "JFK", "departure_date": in_days(31)}]
    async with _client(settings, sim) as client:
        await client.post("/v1/search", json={"slices": slices})
        forced = await client.post("/v1/search", json={"slices": slices, "cache": False})
        again, _ = await _search(client, **_params(31, cache="false"))
        cached = await client.post("/v1/search", json={"slices": slices})

    assert forced.headers["X-Cache"] == again == "MISS"
    assert cached.headers["X-Cache"] == "HIT"
    assert sum((await _shopping(sim)).values()) > 0


async def test_concurrent_identical_cold_searches_ask_each_airline_once(
    settings: Settings, sim: SimHandle
) -> None:
    async with _client(settings, sim) as client:
        await sim.reset()
        results = await asyncio.gather(*(_search(client, **_params(32)) for _ in range(100)))

    assert {state for state, _ in results} == {"MISS"}
    asked = {slug: n for slug, n in (await _shopping(sim)).items() if n}
    assert len(asked) >= 2
    assert set(asked.values()) == {1}, asked


async def test_a_stale_answer_is_served_at_once_and_refreshed(
    settings: Settings, sim: SimHandle
) -> None:
    async with _client(settings, sim, cache_far_ttl_s=0.2, cache_stale_factor=100) as client:
        await sim.reset()
        await _search(client, **_params(33))
        await asyncio.sleep(0.25)  # the fresh TTL has to pass: nothing to await but time

        state, _ = await _search(client, **_params(33))
        await client.app[FARE_CACHE].settle()
        after, _ = await _search(client, **_params(33))

    assert (state, after) == ("STALE", "HIT")
    asked = {slug: n for slug, n in (await _shopping(sim)).items() if n}
    assert len(asked) >= 2
    assert set(asked.values()) == {2}, asked  # the miss and the one refresh


async def test_searches_answer_uncached_while_redis_is_down_and_recover(
    settings: Settings, sim: SimHandle, tmp_path: Path
) -> None:
    redis = EmbeddedRedis(tmp_path / "redis")
    url = await asyncio.to_thread(redis.start)
    try:
        # No L1: every lookup goes to Redis, which is what this test is about.
        async with _client(settings, sim, redis_url=url, cache_l1_entries=0) as client:
            assert [(await _search(client, **_params(34)))[0] for _ in "ab"] == ["MISS", "HIT"]

            await asyncio.to_thread(redis.stop)
            for _ in range(3):
                # Each Redis call is bounded (by the cache's timeout, a share of the deadline):
                # the search still gets its airlines' full answer, not a partial one.
                state, body = await _search(client, **_params(34), cache="true")
                assert (state, body["meta"]["partial"]) == ("MISS", False)
                assert body["offers"]

            await asyncio.to_thread(redis.start)
            states = [(await _search(client, **_params(35)))[0] for _ in "ab"]
            assert states == ["MISS", "HIT"]
            metrics = await (await client.get("/metrics")).text()
    finally:
        await asyncio.to_thread(redis.stop)
    assert 'skyfare_cache_requests_total{layer="redis",outcome="error"}' in metrics
