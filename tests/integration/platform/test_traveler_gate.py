"""The traveler gate over HTTP on real Redis: the token first, then each traveler's own limit;
Redis down lets travelers through (fail open), as it does partners."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import REGISTRY

from kernel.auth import Principal
from kernel.errors import Unauthorized
from skyfare.plumbing import install_plumbing
from skyfare.ratelimit import RateLimiter
from skyfare.travelers import TravelerGate
from tests.e2e.conftest import closed_port

Client = TestClient[web.Request, web.Application]
GATE = web.AppKey("gate", TravelerGate)


async def _from_header(request: web.Request, /) -> Principal:
    """A stand-in identity provider: the caller is whoever the X-Sub header names."""
    sub = request.headers.get("X-Sub")
    if sub is None:
        raise Unauthorized("a token is required")
    return Principal(sub)


async def _whoami(request: web.Request) -> web.Response:
    principal = await request.config_dict[GATE](request)
    return web.json_response({"sub": principal.subject})


async def _client(limiter: RateLimiter) -> Client:
    app = web.Application()
    install_plumbing(app)
    app[GATE] = TravelerGate(_from_header, limiter, rate_per_s=0.01, burst=2)
    app.router.add_get("/whoami", _whoami, name="whoami")
    return TestClient(TestServer(app))


@pytest.fixture
async def client(redis_client: redis.Redis, key_prefix: str) -> AsyncIterator[Client]:
    # A generous timeout: a busy machine must not make the limiter fail open mid-test.
    limiter = RateLimiter(redis_client, prefix=key_prefix, timeout_s=5.0)
    async with await _client(limiter) as client:
        yield client


async def test_each_traveler_has_a_burst_of_its_own_then_429(client: Client) -> None:
    alice = [await client.get("/whoami", headers={"X-Sub": "alice"}) for _ in range(3)]
    bob = await client.get("/whoami", headers={"X-Sub": "bob"})

    assert [r.status for r in alice] == [200, 200, 429]
    assert [r.headers["RateLimit-Remaining"] for r in alice] == ["1", "0", "0"]
    assert int(alice[2].headers["Retry-After"]) >= 1
    assert bob.status == 200


async def test_an_anonymous_request_is_401_and_never_counted(client: Client) -> None:
    anonymous = [await client.get("/whoami") for _ in range(3)]

    assert [r.status for r in anonymous] == [401] * 3
    assert all("RateLimit-Limit" not in r.headers for r in anonymous)


async def test_redis_refusing_connections_lets_travelers_through() -> None:
    down = redis.Redis(host="127.0.0.1", port=closed_port())
    before = REGISTRY.get_sample_value("skyfare_ratelimit_fail_open_total") or 0.0
    try:
        async with await _client(RateLimiter(down)) as client:
            answers = [await client.get("/whoami", headers={"X-Sub": "alice"}) for _ in range(3)]
    finally:
        await down.aclose()

    assert [r.status for r in answers] == [200] * 3
    assert (REGISTRY.get_sample_value("skyfare_ratelimit_fail_open_total") or 0.0) == before + 3
