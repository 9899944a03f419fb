"""No two tests' apps share cached fares: the session's one Redis holds every test's fare cache,
scoped by the airlines' URLs, and each sim's airlines have an address of their own
(tests/support/sim.py), even when a later sim is given an earlier one's port."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import msgspec
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.settings import Settings
from tests.support.sim import SimHandle, fast_profiles, running_sim

Client = TestClient[web.Request, web.Application]


@asynccontextmanager
async def _app(settings: Settings, sim: SimHandle) -> AsyncIterator[Client]:
    configured = msgspec.structs.replace(settings, connectors=sim.connector_settings())
    async with TestClient(TestServer(create_app(configured))) as client:
        yield client


async def _x_cache(client: Client) -> str:
    day = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
    params = {"origin": "LHR", "destination": "JFK", "departure_date": day}
    response = await client.get("/v1/search", params=params)
    assert response.status == 200, await response.text()
    return response.headers["X-Cache"]


async def test_apps_of_two_sims_on_one_port_do_not_see_each_others_cached_fares(
    settings: Settings,
) -> None:
    async with running_sim(profiles=fast_profiles()) as first:
        async with _app(settings, first) as client:
            await _x_cache(client)
            assert await _x_cache(client) == "HIT"  # cached, in Redis too
        port = int(first.url.rsplit(":", 1)[1])

    async with running_sim(profiles=fast_profiles(), port=port) as second:
        assert second.url == first.url  # the same sim address the first test had
        async with _app(settings, second) as client:
            assert await _x_cache(client) == "MISS"
            assert await _x_cache(client) == "HIT"


async def test_two_apps_of_one_sim_share_its_cached_fares(settings: Settings) -> None:
    async with running_sim(profiles=fast_profiles()) as sim:
        async with _app(settings, sim) as client:
            await _x_cache(client)
        async with _app(settings, sim) as client:  # a new process: an empty L1, the same Redis
            assert await _x_cache(client) == "HIT"
