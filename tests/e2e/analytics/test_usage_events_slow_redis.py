"""Usage events on a Redis slower than the 1 s default, within the bound the settings give
(`SKYFARE_REDIS_TIMEOUT_MS`): the batch is published, not dropped. Its write had a fixed 1 s
bound, and a busy machine dropped the events a report test then looked for."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from analytics import metrics
from skyfare.app import create_app
from skyfare.settings import Settings
from tests.support.flights import in_days
from tests.support.notify import eventually
from tests.support.redis_proxy import RedisProxy
from tests.support.sim import fast_profiles, running_sim

Client = TestClient[web.Request, web.Application]
# Longer than the old fixed 1 s, far inside the 10 s this test's settings give.
SLOW_S = 1.5


@pytest.fixture
def stream() -> str:
    return f"test:usage:{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[RedisProxy]:
    async with RedisProxy(redis_url) as proxy:
        yield proxy


@pytest.fixture
async def client(settings: Settings, stream: str, proxy: RedisProxy) -> AsyncIterator[Client]:
    async with running_sim(profiles=fast_profiles()) as sim:
        configured = msgspec.structs.replace(
            settings,
            connectors=sim.connector_settings(),
            redis_url=proxy.url,
            redis_timeout_ms=10_000,
            usage_stream=stream,
        )
        async with TestClient(TestServer(create_app(configured))) as client:
            yield client


async def test_a_slow_usage_write_within_the_bound_is_published(
    client: Client, proxy: RedisProxy, stream: str
) -> None:
    published, dropped = metrics.value("published"), metrics.value("dropped")
    proxy.slow_on(stream.encode(), SLOW_S)  # the batch's write (its key is the stream) is late

    params = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(30)}
    response = await client.get("/v1/search", params=params)
    assert response.status == 200, await response.text()

    def sent_or_dropped() -> bool:
        return metrics.value("published") + metrics.value("dropped") > published + dropped

    await eventually(sent_or_dropped)
    assert metrics.value("dropped") == dropped
