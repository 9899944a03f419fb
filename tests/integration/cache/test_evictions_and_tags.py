"""Tags and the evictions feed against real Redis: what finds an answer again, what drops it
from every process's L1."""

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from cache import evictions
from cache.keys import PREFIX
from cache.memory import InMemoryFareCache
from cache.model import CacheError
from cache.redis import RedisFareCache
from cache.tags import InMemoryTagIndex, RedisTagIndex, tag_key
from cache.tiered import TieredFareCache
from kernel.tasks import stop_task
from skyfare.embedded import EmbeddedRedis
from tests.e2e.conftest import closed_port
from tests.support.evictions import dropped, entry, following
from tests.support.notify import eventually
from tests.support.redis_cluster import client_of

TIMEOUT = 30.0  # a bound only a broken Redis reaches (a busy machine took > 1 s to load a script)


@pytest.fixture
def closed_redis() -> str:
    """A Redis URL nothing listens on."""
    return f"redis://127.0.0.1:{closed_port()}/0"


def key() -> str:
    return PREFIX + uuid.uuid4().hex


def unmarked() -> dict[str, Any]:
    return {"unless_marked": key(), "since": time.time()}


async def test_a_tag_leads_to_every_member_once(client: aioredis.Redis) -> None:
    tags = RedisTagIndex(client)
    offer, other = f"off_{uuid.uuid4().hex}", f"off_{uuid.uuid4().hex}"
    await tags.add([offer, other], "k1", ttl_s=60, timeout=TIMEOUT, **unmarked())
    await tags.add([offer], "k2", ttl_s=60, timeout=TIMEOUT, **unmarked())

    assert await tags.contains(offer, timeout=TIMEOUT)
    assert await tags.take(offer, timeout=TIMEOUT) == {"k1", "k2"}
    assert not await tags.contains(offer, timeout=TIMEOUT)
    assert await tags.take(offer, timeout=TIMEOUT) == set()
    assert await tags.take(other, timeout=TIMEOUT) == {"k1"}


async def test_a_tag_lives_as_long_as_its_longest_lived_member(client: aioredis.Redis) -> None:
    tags = RedisTagIndex(client)
    offer = f"off_{uuid.uuid4().hex}"
    await tags.add([offer], "long", ttl_s=600, timeout=TIMEOUT, **unmarked())
    await tags.add([offer], "short", ttl_s=5, timeout=TIMEOUT, **unmarked())

    assert await client.pttl(tag_key(offer)) > 500_000


async def test_an_answer_whose_key_was_evicted_after_its_search_began_is_not_tagged(
    client: aioredis.Redis,
) -> None:
    tags = RedisTagIndex(client)
    offer, evicted = f"off_{uuid.uuid4().hex}", key()
    began = time.time()
    await tags.mark([evicted], at=began + 0.05, ttl_s=30, timeout=TIMEOUT)

    before = dict(unless_marked=evicted, since=began)
    after = dict(unless_marked=evicted, since=began + 0.1)
    assert not await tags.add([offer], "old", ttl_s=60, timeout=TIMEOUT, **before)
    assert not await tags.contains(offer, timeout=TIMEOUT)
    assert await tags.add([offer], "new", ttl_s=60, timeout=TIMEOUT, **after)
    assert await tags.take(offer, timeout=TIMEOUT) == {"new"}


async def test_tags_on_a_redis_that_is_down_raise_cache_error(closed_redis: str) -> None:
    dead = aioredis.Redis.from_url(closed_redis, socket_connect_timeout=0.3)
    tags = RedisTagIndex(dead)
    try:
        with pytest.raises(CacheError):
            await tags.add(["off_x"], "k", ttl_s=60, timeout=0.5, **unmarked())
        with pytest.raises(CacheError):
            await tags.take("off_x", timeout=0.5)
    finally:
        await dead.aclose()


async def test_an_eviction_reaches_the_l1_of_another_process(
    client: aioredis.Redis, redis_url: str
) -> None:
    # Two "processes": each its own L1 over the same Redis; the second follows the feed.
    here = TieredFareCache(
        InMemoryFareCache(10),
        RedisFareCache(client),
        evictions=evictions.RedisEvictionFeed(client),
    )
    there_l1 = InMemoryFareCache(10)
    follower_client = client_of(redis_url, socket_timeout=3)
    follower = asyncio.create_task(evictions.follow(follower_client, there_l1, block_ms=200))
    try:
        k, kept = key(), key()
        await following(client, there_l1)
        await here.set(k, entry(), timeout=TIMEOUT)
        there_l1.put(k, entry())
        there_l1.put(kept, entry())

        await here.evict([k], timeout=TIMEOUT)

        assert here.l1.peek(k) is None
        assert await client.get(k) is None
        await dropped(there_l1, [k])
        assert there_l1.peek(kept) is not None
    finally:
        await stop_task(follower)
        await follower_client.aclose()


async def test_a_follower_that_lost_redis_empties_its_l1_once_when_redis_is_back(
    tmp_path: Path,
) -> None:
    redis = EmbeddedRedis(tmp_path / "redis")
    url = await asyncio.to_thread(redis.start)
    client = aioredis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=0.3)
    l1 = InMemoryFareCache(10)
    follower = asyncio.create_task(evictions.follow(client, l1, block_ms=100, retry_s=0.05))
    try:
        await following(client, l1)
        l1.put(key(), entry())
        await asyncio.to_thread(redis.stop)
        await asyncio.sleep(0.5)
        assert len(l1) == 1  # nobody can evict while Redis is down: L1 goes on serving

        assert await asyncio.to_thread(redis.start) == url
        await eventually(lambda: len(l1) == 0)  # evictions may have been lost meanwhile
    finally:
        await stop_task(follower)
        await client.aclose()
        await asyncio.to_thread(redis.stop)


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_an_answer_holding_an_offer_taken_after_its_search_began_is_not_tagged(
    client: aioredis.Redis, kind: str
) -> None:
    # The answer is served before its tags are written (search/service.py): a re-pricing that
    # finds the offer's price wrong may come first, when no answer is tagged with it yet.
    tags = InMemoryTagIndex() if kind == "memory" else RedisTagIndex(client)
    offer, other = f"off_{uuid.uuid4().hex}", f"off_{uuid.uuid4().hex}"
    began = time.time()

    taken = await tags.take_owed(offer, at=began + 0.05, mark_ttl_s=30, timeout=TIMEOUT)

    assert taken is None  # nothing held it yet
    unmarked_key = key()
    before = dict(unless_marked=unmarked_key, since=began)
    after = dict(unless_marked=unmarked_key, since=began + 0.1)
    assert not await tags.add([other, offer], "old", ttl_s=60, timeout=TIMEOUT, **before)
    assert not await tags.contains(other, timeout=TIMEOUT)  # nothing of it recorded
    assert await tags.add([other, offer], "new", ttl_s=60, timeout=TIMEOUT, **after)
    assert await tags.take(offer, timeout=TIMEOUT) == {"new"}
