"""Erasing an account ends its sessions through Redis (a cutoff mark): a Redis slower than the
1 s default, within the bound the settings give (`SKYFARE_REDIS_TIMEOUT_MS`), still takes it.
A busy machine made that write a 503 when the bound was fixed at 1 s."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
import pytest

from skyfare.auth.cutoffs import STREAM
from skyfare.settings import Settings
from tests.e2e.users.conftest import Client, Sign, new_subject
from tests.support.redis_proxy import RedisProxy

# Longer than the old fixed 1 s, far inside the 10 s this test's settings give.
SLOW_S = 1.5
# The XADD that announces a cutoff, as redis-py sends it (RESP): only the erasure sends it.
CUTOFF_ANNOUNCED = b"XADD\r\n$20\r\n" + STREAM.encode()


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[RedisProxy]:
    async with RedisProxy(redis_url) as proxy:
        yield proxy


@pytest.fixture
def settings(settings: Settings, proxy: RedisProxy) -> Settings:
    """The suite's settings, on Redis through `proxy`, each Redis call given 10 s."""
    return msgspec.structs.replace(settings, redis_url=proxy.url, redis_timeout_ms=10_000)


async def test_an_erasure_on_a_slow_redis_within_the_bound_ends_the_sessions(
    client: Client, sign: Sign, proxy: RedisProxy
) -> None:
    subject = new_subject()
    assert (await client.get("/v1/me", headers=sign(subject))).status == 200

    proxy.slow_on(CUTOFF_ANNOUNCED, SLOW_S)  # Redis answers the cutoff's write, but late
    erased = await client.delete("/v1/me", headers=sign(subject))

    assert erased.status == 200, await erased.text()
