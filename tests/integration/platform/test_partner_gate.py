"""The partner gate over HTTP: 401 without a key, RateLimit-* headers, 429 with Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
import redis.asyncio as redis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.migrations import migrate
from skyfare.partners import PartnerGate, PartnerKeys
from skyfare.plumbing import install_plumbing
from skyfare.ratelimit import RateLimiter
from tests.support.database import SETUP_TIMEOUT_S

Client = TestClient[web.Request, web.Application]
GATE = web.AppKey("gate", PartnerGate)


async def _whoami(request: web.Request) -> web.Response:
    partner = await request.config_dict[GATE](request)
    return web.json_response({"partner": partner.name})


@pytest.fixture
async def keys(pool: asyncpg.Pool) -> PartnerKeys:
    await migrate(pool, timeout=10)
    return PartnerKeys(pool, timeout_s=SETUP_TIMEOUT_S)


@pytest.fixture
async def client(
    keys: PartnerKeys, redis_client: redis.Redis, key_prefix: str
) -> AsyncIterator[Client]:
    app = web.Application()
    install_plumbing(app)
    # A Redis budget no busy machine exceeds: over budget, the limiter fails open (allowed).
    limiter = RateLimiter(redis_client, prefix=key_prefix, timeout_s=SETUP_TIMEOUT_S)
    app[GATE] = PartnerGate(keys, limiter)
    app.router.add_get("/whoami", _whoami, name="whoami")
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_a_request_without_a_key_is_401_problem(client: Client) -> None:
    response = await client.get("/whoami")
    assert response.status == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == 'ApiKey header="X-API-Key"'
    assert "RateLimit-Limit" not in response.headers


async def test_an_unknown_key_is_401(client: Client) -> None:
    response = await client.get("/whoami", headers={"X-API-Key": "sk_live_" + "x" * 32})
    assert response.status == 401


async def test_allowed_requests_carry_ratelimit_headers_then_429_with_retry_after(
    client: Client, keys: PartnerKeys
) -> None:
    # One an hour after the burst: no refill while the test runs, however slow the machine.
    _, raw_key = await keys.create("kayak", rate_per_s=1 / 3600, burst=2)
    headers = {"X-API-Key": raw_key}
    first = await client.get("/whoami", headers=headers)
    assert first.status == 200
    assert await first.json() == {"partner": "kayak"}
    assert first.headers["RateLimit-Limit"] == "2"
    assert first.headers["RateLimit-Remaining"] == "1"
    assert 3590 <= int(first.headers["RateLimit-Reset"]) <= 3600
    assert (await client.get("/whoami", headers=headers)).headers["RateLimit-Remaining"] == "0"
    denied = await client.get("/whoami", headers=headers)
    assert denied.status == 429
    assert 3590 <= int(denied.headers["Retry-After"]) <= 3600
    assert denied.headers["RateLimit-Remaining"] == "0"
    assert (await denied.json())["type"].endswith("/rate-limited")


@pytest.mark.parametrize("valid_first", [True, False], ids=["valid first", "valid last"])
async def test_a_request_with_two_keys_is_401_whichever_comes_first(
    client: Client, keys: PartnerKeys, valid_first: bool
) -> None:
    # A proxy that adds its own key may keep or replace the client's, and another reads the
    # last where we read the first: with two keys, who is calling (and who is charged) is
    # not for us to pick, as with two Authorization headers (skyfare/auth/bearer.py).
    _, raw_key = await keys.create("skyscanner", rate_per_s=10, burst=10)
    other = "sk_live_" + "x" * 32
    sent = [raw_key, other] if valid_first else [other, raw_key]

    response = await client.get("/whoami", headers=[("X-API-Key", key) for key in sent])

    assert response.status == 401, await response.text()
    assert response.headers["WWW-Authenticate"] == 'ApiKey header="X-API-Key"'
    assert "more than one X-API-Key header" in (await response.json())["detail"]
    assert "RateLimit-Limit" not in response.headers
