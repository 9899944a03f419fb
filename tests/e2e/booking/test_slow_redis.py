"""A Redis slower than the app client's own bounds but within what the settings give a call.

The per-call bounds (`SKYFARE_RATE_LIMIT_TIMEOUT_MS`, `SKYFARE_CACHE_REDIS_TIMEOUT_MS`) are what a
request waits for Redis; the client's socket timeout is only a backstop and must never cut a call
shorter than its bound. It did (1 s against the suite's 10 s): on a busy machine a Redis reply
late by a second made the traveler limiter fail open, and every request logged a read timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import msgspec
import pytest

from skyfare.settings import Settings
from tests.support.booking import BookingEnv, booking_app
from tests.support.redis_proxy import RedisProxy

UNKNOWN_OFFER = "off_bm90LWFuLW9mZmVy"
# Longer than the client's old 1 s socket timeout, far inside the 10 s the limiter is given.
SLOW_S = 1.5


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[RedisProxy]:
    async with RedisProxy(redis_url) as proxy:
        yield proxy


@pytest.fixture
async def one_request_each(settings: Settings, proxy: RedisProxy) -> AsyncIterator[BookingEnv]:
    """The app on Redis through `proxy`: a burst of one request per traveler, then one an hour."""
    limited = msgspec.structs.replace(
        settings,
        redis_url=proxy.url,
        traveler_rate_per_s=1 / 3600,
        traveler_burst=1,
        rate_limit_timeout_ms=10_000,
    )
    async with booking_app(limited) as env:
        yield env


async def test_a_slow_redis_still_limits_travelers_within_the_bound(
    one_request_each: BookingEnv, proxy: RedisProxy, alice_sub: str
) -> None:
    env = one_request_each
    alice = await env.token(alice_sub)
    first = await env.order(alice, UNKNOWN_OFFER)
    assert first.status == 404

    proxy.stall()  # Redis answers, but late: every reply held for SLOW_S
    asyncio.get_running_loop().call_later(SLOW_S, proxy.resume)
    second = await env.order(alice, UNKNOWN_OFFER)

    assert second.status == 429, await second.text()
    assert int(second.headers["Retry-After"]) > 0
