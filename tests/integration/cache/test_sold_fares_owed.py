"""A sale's eviction against real Redis: taken and recorded as owed on the hold's path, finished
after it by the process's task (a batch of sales at once), and finished by another process when
the first one died."""

import asyncio
import time
import uuid
from decimal import Decimal

import redis.asyncio as aioredis

from cache.keys import PREFIX
from cache.memory import InMemoryFareCache
from cache.redis import RedisFareCache
from cache.tags import MARK_PREFIX, OWED_KEY, RedisTagIndex, mark_key
from cache.tiered import TieredFareCache
from kernel.tasks import stop_task
from search.fare_index import CheapestFare, IndexSlot
from search.fare_index_redis import RedisFareIndex
from search.stale_fares import OVERDUE_S, StaleFares, member
from tests.e2e.conftest import closed_port
from tests.support.evictions import entry

TIMEOUT = 30.0  # a bound only a broken Redis reaches (a busy machine took > 1 s to load a script)


def process(client: aioredis.Redis, *, clock_skew_s: float = 0.0) -> StaleFares:
    """One API process's stale fares over the shared Redis (its own L1); `clock_skew_s` ahead."""
    store = TieredFareCache(InMemoryFareCache(10), RedisFareCache(client))
    return StaleFares(
        store,
        RedisTagIndex(client),
        None,
        timeout_s=TIMEOUT,
        tag_timeout_s=TIMEOUT,
        clock=lambda: time.time() + clock_skew_s,
    )


async def cached_answer(client: aioredis.Redis, offer: str) -> str:
    """An answer stored in Redis and tagged with `offer`, as a search leaves it."""
    key = PREFIX + uuid.uuid4().hex
    await RedisFareCache(client).set(key, entry(), timeout=TIMEOUT)
    tags = RedisTagIndex(client)
    began = time.time()
    await tags.add(
        [offer], member(key, None), ttl_s=60, timeout=TIMEOUT, unless_marked=key, since=began
    )
    return key


async def owed_records(client: aioredis.Redis, offer: str) -> list[str]:
    records = await client.zrange(OWED_KEY, 0, -1)
    texts = [r.decode() if isinstance(r, bytes) else r for r in records]
    return [t for t in texts if offer in t]


async def test_a_sale_marks_its_answers_and_records_them_owed_until_they_are_evicted(
    client: aioredis.Redis,
) -> None:
    offer = f"off_{uuid.uuid4().hex}"
    key = await cached_answer(client, offer)
    l1 = InMemoryFareCache(10)
    l1.put(key, entry())
    store = TieredFareCache(l1, RedisFareCache(client))
    here = StaleFares(store, RedisTagIndex(client), None, timeout_s=TIMEOUT, tag_timeout_s=TIMEOUT)

    await here.sold(offer)

    # The hold's path: the tag is taken, the answer marked and owed, gone from this process's
    # L1 but not yet from Redis.
    assert await client.get(mark_key(key)) is not None
    assert l1.peek(key) is None
    assert await client.exists(key)
    assert len(await owed_records(client, offer)) == 1
    assert not await RedisTagIndex(client).contains(offer, timeout=TIMEOUT)

    await here.finish_owed()

    assert not await client.exists(key)
    assert await owed_records(client, offer) == []


async def test_the_process_task_evicts_a_sale_after_it_answered(client: aioredis.Redis) -> None:
    offer = f"off_{uuid.uuid4().hex}"
    key = await cached_answer(client, offer)
    here = process(client)
    task = asyncio.create_task(here.run(retry_every_s=60))
    try:
        await here.sold(offer)
        for _ in range(200):
            if not await client.exists(key) and not await owed_records(client, offer):
                break
            await asyncio.sleep(0.05)
        assert not await client.exists(key)
        assert await owed_records(client, offer) == []
    finally:
        await stop_task(task)


async def test_a_sale_whose_process_died_before_evicting_is_evicted_by_another_process(
    client: aioredis.Redis,
) -> None:
    offer = f"off_{uuid.uuid4().hex}"
    key = await cached_answer(client, offer)
    crashed = process(client)
    await crashed.sold(offer)  # ... and the process dies: its queue goes with it
    del crashed
    other = process(client)
    later = process(client, clock_skew_s=OVERDUE_S + 1)

    await other.finish_overdue()  # not overdue yet: its own process may still be evicting
    assert await client.exists(key)

    await later.finish_overdue()

    assert not await client.exists(key)
    assert await owed_records(client, offer) == []


async def test_an_eviction_redis_failed_stays_owed(client: aioredis.Redis) -> None:
    offer = f"off_{uuid.uuid4().hex}"
    await cached_answer(client, offer)
    dead = aioredis.Redis.from_url(
        f"redis://127.0.0.1:{closed_port()}/0", socket_connect_timeout=0.3
    )
    store = TieredFareCache(InMemoryFareCache(10), RedisFareCache(dead))
    here = StaleFares(store, RedisTagIndex(client), None, timeout_s=TIMEOUT, tag_timeout_s=TIMEOUT)
    try:
        await here.sold(offer)
        await here.finish_owed()
    finally:
        await dead.aclose()

    assert len(await owed_records(client, offer)) == 1
    await RedisTagIndex(client).settle(await owed_records(client, offer), timeout=TIMEOUT)


async def test_a_sale_of_an_offer_no_answer_holds_owes_nothing(client: aioredis.Redis) -> None:
    offer = f"off_{uuid.uuid4().hex}"

    assert (
        await RedisTagIndex(client).take_owed(offer, at=time.time(), mark_ttl_s=30, timeout=TIMEOUT)
        is None
    )
    assert await owed_records(client, offer) == []
    assert not [k async for k in client.scan_iter(match=MARK_PREFIX + offer + "*")]


async def test_a_batch_of_sales_forgets_each_sales_indexed_fare(client: aioredis.Redis) -> None:
    index = RedisFareIndex(client, timeout_s=TIMEOUT, read_timeout_s=TIMEOUT)
    offers = [f"off_{uuid.uuid4().hex}" for _ in range(3)]
    slots = [IndexSlot(f"skyfare:cheapest:v1:{uuid.uuid4().hex}", "2030-06-20") for _ in offers]
    tags = RedisTagIndex(client)
    for offer, slot in zip(offers, slots, strict=True):
        now = time.time()
        await index.record(slot, CheapestFare(Decimal(1), "USD", offer, 1, now, now, now + 60))
        key = PREFIX + uuid.uuid4().hex
        await tags.add(
            [offer], member(key, slot), ttl_s=60, timeout=TIMEOUT, unless_marked=key, since=now
        )
    store = TieredFareCache(InMemoryFareCache(10), RedisFareCache(client))
    here = StaleFares(store, tags, index, timeout_s=TIMEOUT, tag_timeout_s=TIMEOUT)

    for offer in offers[:2]:
        await here.sold(offer)
    await here.finish_owed()  # both sales in one batch

    found = await index.lookup(slots)
    assert [f is None for f in found] == [True, True, False]
    assert [await owed_records(client, offer) for offer in offers] == [[], [], []]


async def test_a_sale_after_redis_forgot_the_scripts_still_takes_and_owes(
    client: aioredis.Redis,
) -> None:
    offer = f"off_{uuid.uuid4().hex}"
    key = await cached_answer(client, offer)
    here = process(client)
    await client.script_flush()  # as after a Redis restart: EVALSHA answers NOSCRIPT

    await here.sold(offer)

    assert await client.get(mark_key(key)) is not None
    assert len(await owed_records(client, offer)) == 1
    await here.finish_owed()
    assert not await client.exists(key)
