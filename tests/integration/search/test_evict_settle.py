"""A batch of owed evictions finished in one script call (cache/evict_settle.py), against real
Redis: the answers leave Redis and every process's L1, the records are settled, in one round
trip; a batch the script could not finish stays owed. Plain Redis only: not wired on a cluster."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from cache import evictions
from cache.evict_settle import RedisEvictAndSettle
from cache.memory import InMemoryFareCache
from cache.redis import RedisFareCache
from cache.tags import RedisTagIndex
from cache.tiered import TieredFareCache
from kernel.tasks import stop_task
from search.stale_fares import StaleFares
from skyfare.redis_client import is_cluster
from skyfare.settings import load_settings
from tests.integration.cache.test_sold_fares_owed import TIMEOUT, cached_answer, owed_records
from tests.integration.search.test_answer_writes import CountingRedis
from tests.support.evictions import dropped, entry, following
from tests.support.redis_cluster import client_of


@pytest.fixture
async def counting(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    if is_cluster(load_settings(), redis_url):  # REDIS_URL a cluster: the script is not wired
        pytest.skip("one script over several slots: wired only without a cluster")
    client = CountingRedis.from_url(redis_url)
    await client.ping()
    yield client
    await client.aclose()


def process(client: aioredis.Redis, fold: RedisEvictAndSettle) -> StaleFares:
    feed = evictions.RedisEvictionFeed(client)
    store = TieredFareCache(InMemoryFareCache(10), RedisFareCache(client), evictions=feed)
    tags = RedisTagIndex(client)
    return StaleFares(
        store, tags, None, timeout_s=TIMEOUT, tag_timeout_s=TIMEOUT, evict_settle=fold
    )


async def test_a_batch_of_sales_leaves_redis_and_other_l1s_and_is_settled_in_one_round_trip(
    counting: aioredis.Redis, redis_url: str
) -> None:
    offers = [f"off_{uuid.uuid4().hex}" for _ in range(2)]
    keys = [await cached_answer(counting, offer) for offer in offers]
    here = process(counting, RedisEvictAndSettle(counting))
    there_l1 = InMemoryFareCache(10)
    follower_client = client_of(redis_url, socket_timeout=3)
    follower = asyncio.create_task(evictions.follow(follower_client, there_l1, block_ms=200))
    try:
        await following(counting, there_l1)
        for k in keys:
            there_l1.put(k, entry())
        for offer in offers:
            await here.sold(offer)
        await here.finish_owed()  # warm: the script is loaded, the connections open
        CountingRedis.round_trips = 0
        again = await cached_answer(counting, offers[0])
        await here.sold(offers[0])
        CountingRedis.round_trips = 0

        await here.finish_owed()

        assert CountingRedis.round_trips == 1
        assert [await counting.exists(k) for k in (*keys, again)] == [0, 0, 0]
        assert [await owed_records(counting, offer) for offer in offers] == [[], []]
        await dropped(there_l1, keys)
    finally:
        await stop_task(follower)
        await follower_client.aclose()


async def test_a_batch_the_script_could_not_finish_stays_owed(counting: aioredis.Redis) -> None:
    offer = f"off_{uuid.uuid4().hex}"
    await cached_answer(counting, offer)
    not_a_stream = f"test:{uuid.uuid4().hex}"
    await counting.set(not_a_stream, "x", ex=60)  # the feed's XADD fails: WRONGTYPE
    here = process(counting, RedisEvictAndSettle(counting, stream=not_a_stream))

    await here.sold(offer)
    await here.finish_owed()

    records = await owed_records(counting, offer)
    assert len(records) == 1  # retried once overdue (evicting twice is harmless)
    await RedisTagIndex(counting).settle(records, timeout=TIMEOUT)
