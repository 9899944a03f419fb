"""/readyz against a store that hangs (its proxy accepts connections, then holds every byte):
a 503 naming the store and the bound it was checked within (SKYFARE_READY_TIMEOUT_MS).

The checks waited a fixed 1 s each (their connections' own bounds were SKYFARE_REDIS_TIMEOUT_MS,
10 s in this suite, and the database's the same 1 s), which is all of a Kubernetes probe's
default `timeoutSeconds`: the probe timed out before /readyz answered, and a monitor read a
hung store as a hung process. Readiness has its own bound now, SKYFARE_READY_TIMEOUT_MS, on the
check's connect, its reply and the whole check.
"""

from __future__ import annotations

import aiohttp
import msgspec
import pytest
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.services import BOOKING, SEARCH
from skyfare.settings import Settings
from tests.support.redis_proxy import RedisProxy
from tests.support.tcp_proxy import PostgresProxy

PROBLEM = "application/problem+json"
# Only so that a hang fails the test rather than the suite: how soon the answer comes is not
# asserted (a busy machine may be slow); that it comes, and names the bound it was checked by.
HANG = aiohttp.ClientTimeout(total=60)
# The check's bound here; the shared Redis client's (SKYFARE_REDIS_TIMEOUT_MS, 10 s in this
# suite) and the database's are far longer, so an answer at all means this one cut the check.
READY_TIMEOUT_MS = 100


# Each service's store: what its /readyz checks, the proxy in front of it, the setting it is in.
STORES = {
    "cache": (SEARCH, RedisProxy, "redis_url"),
    "database": (BOOKING, PostgresProxy, "database_url"),
}


@pytest.mark.parametrize("check", sorted(STORES))
async def test_readyz_answers_a_hung_store_down_before_the_probe_gives_up(
    check: str, settings: Settings
) -> None:
    service, proxy_of, setting = STORES[check]
    async with proxy_of(getattr(settings, setting)) as proxy:
        behind = msgspec.structs.replace(
            settings, **{setting: proxy.url}, ready_timeout_ms=READY_TIMEOUT_MS
        )
        async with TestClient(TestServer(create_app(behind, service))) as client:
            proxy.stall()
            try:  # twice: the second check asks on a new connection, the first one dropped
                answers = [await client.get("/readyz", timeout=HANG) for _ in range(2)]
                docs = [await answer.json(content_type=PROBLEM) for answer in answers]
            finally:
                proxy.resume()  # the app's own pools close through it
    assert [answer.status for answer in answers] == [503, 503]
    assert [doc["checks"] for doc in docs] == [{check: "down"}] * 2
    assert [doc["detail"] for doc in docs] == [
        f"not ready: {check} down (each store has {READY_TIMEOUT_MS} ms to answer)"
    ] * 2
