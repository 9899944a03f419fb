"""The `FareCache` contract, held by the in-memory fake and the Redis adapter alike."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from cache.keys import PREFIX
from cache.memory import InMemoryFareCache
from cache.model import CacheError, FareCache, FareEntry
from cache.redis import RedisFareCache
from tests.support.fake_server import Faults
from tests.support.redis_cluster import client_of

# Per Redis call, in the tests where Redis answers: none is about a slow Redis, and a cluster
# client's first call (it learns the slot map) on a busy machine could outlast a short bound.
TIMEOUT = 30.0


@pytest.fixture
async def cache(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[FareCache]:
    if request.param == "memory":
        yield InMemoryFareCache(100)
        return
    client = client_of(redis_url)
    yield RedisFareCache(client)
    await client.aclose()


def key() -> str:
    return PREFIX + uuid.uuid4().hex


def entry(*, stale_in: float = 60.0, offers: bytes = b'[{"id":"off_1"}]') -> FareEntry:
    now = time.time()
    return FareEntry(offers, b'[{"name":"a"}]', False, 1, now, now + stale_in / 4, now + stale_in)


@pytest.mark.parametrize("cache", ["memory", "redis"], indirect=True)
async def test_an_unknown_key_is_a_miss(cache: FareCache) -> None:
    assert await cache.get(key(), timeout=TIMEOUT) is None


@pytest.mark.parametrize("cache", ["memory", "redis"], indirect=True)
async def test_a_stored_entry_comes_back_byte_for_byte(cache: FareCache) -> None:
    k, stored = key(), entry(offers=b'[{"id":"off_\\u00e9"}]')
    await cache.set(k, stored, timeout=TIMEOUT)
    assert await cache.get(k, timeout=TIMEOUT) == stored


@pytest.mark.parametrize("cache", ["memory", "redis"], indirect=True)
async def test_a_later_set_replaces_the_entry(cache: FareCache) -> None:
    k = key()
    await cache.set(k, entry(offers=b"[1]"), timeout=TIMEOUT)
    await cache.set(k, entry(offers=b"[2]"), timeout=TIMEOUT)
    found = await cache.get(k, timeout=TIMEOUT)
    assert found is not None
    assert found.offers == b"[2]"


@pytest.mark.parametrize("cache", ["memory", "redis"], indirect=True)
async def test_an_entry_past_its_stale_window_is_not_stored(cache: FareCache) -> None:
    k = key()
    await cache.set(k, entry(stale_in=-1.0), timeout=TIMEOUT)
    assert await cache.get(k, timeout=TIMEOUT) is None


async def test_redis_expires_an_entry_at_the_end_of_its_stale_window(
    client: aioredis.Redis,
) -> None:
    k, stored = key(), entry(stale_in=3600.0)  # fresh for 15 minutes, stale for 45 more
    # The adapter's clock stands at the entry's making, so the TTL it sets is the full hour
    # whatever the machine's load; only a stall of minutes before PTTL could shorten it below
    # 50 minutes, and pytest-timeout would end the test first.
    cache = RedisFareCache(client, clock=lambda: stored.cached_at)
    await cache.set(k, stored, timeout=TIMEOUT)
    ttl_ms = await client.pttl(k)
    assert 3_000_000 < ttl_ms <= 3_600_000  # the stale window's end, not the fresh TTL's


async def test_a_value_that_is_not_an_entry_is_a_cache_error(client: aioredis.Redis) -> None:
    k = key()
    await client.set(k, b"not msgpack of an entry", px=60_000)
    with pytest.raises(CacheError):
        await RedisFareCache(client).get(k, timeout=TIMEOUT)


async def test_redis_that_is_not_there_is_a_cache_error(tmp_path: Path) -> None:
    client = aioredis.Redis.from_url(f"unix://{tmp_path / 'nobody.sock'}")
    cache = RedisFareCache(client)
    with pytest.raises(CacheError):
        await cache.get(key(), timeout=0.05)
    with pytest.raises(CacheError):
        await cache.set(key(), entry(), timeout=0.05)
    await client.aclose()


async def test_a_redis_that_does_not_answer_costs_the_timeout_and_no_more(
    tmp_path: Path, fake_faults: Faults
) -> None:
    writers: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await reader.read(1 << 16)  # reads the command, never answers

    path = tmp_path / "silent.sock"
    server = await asyncio.start_unix_server(fake_faults.guard(silent), path=str(path))
    client = aioredis.Redis.from_url(f"unix://{path}")
    # The server never answers: without the timeout the call would hang (pytest-timeout).
    with pytest.raises(CacheError, match=r"^redis GET failed: TimeoutError$"):
        await RedisFareCache(client).get(key(), timeout=0.05)
    await client.aclose()
    for writer in writers:
        writer.close()
        await writer.wait_closed()
    server.close()
    await server.wait_closed()


@pytest.mark.parametrize("cache", ["memory", "redis"], indirect=True)
async def test_deleted_keys_are_misses_and_others_stay(cache: FareCache) -> None:
    gone, kept = key(), key()
    await cache.set(gone, entry(), timeout=TIMEOUT)
    await cache.set(kept, entry(), timeout=TIMEOUT)

    await cache.delete([gone, key()], timeout=TIMEOUT)

    assert await cache.get(gone, timeout=TIMEOUT) is None
    assert await cache.get(kept, timeout=TIMEOUT) is not None
