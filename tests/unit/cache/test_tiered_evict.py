"""`TieredFareCache.evict`, whichever call does its Redis part: the L2's DELs and the feed's entry,
or one given `shared` call (search/stale_fares.py folds its settle into one): this L1 forgets the
keys first, and Redis's answer is noted the same way, as `shared_available`."""

from collections.abc import Sequence

import pytest

from cache.memory import InMemoryFareCache
from cache.model import CacheError
from cache.tiered import SharedEviction, TieredFareCache
from tests.support.evictions import entry

KEY = "skyfare:fares:v1:evict"


class Redis(InMemoryFareCache):
    """The shared L2 and the evictions feed, answering or down; `seen` is what this process's
    L1 held when a Redis call began."""

    def __init__(self, l1: InMemoryFareCache, *, down: bool) -> None:
        super().__init__(10)
        self.l1, self.down = l1, down
        self.seen: list[bool] = []

    async def delete(self, keys: Sequence[str], *, timeout: float) -> None:
        await self.publish(keys, timeout=timeout)

    async def publish(self, keys: Sequence[str], *, timeout: float) -> None:
        self.seen.append(any(self.l1.peek(k) is not None for k in keys))
        if self.down:
            raise CacheError("down")


def evicting(redis: Redis, how: str) -> SharedEviction | None:
    return None if how == "l2 and feed" else redis.publish


@pytest.mark.parametrize("how", ["l2 and feed", "shared"])
async def test_an_eviction_redis_failed_leaves_this_l1_without_the_keys_and_notes_redis_down(
    how: str,
) -> None:
    l1 = InMemoryFareCache(10)
    redis = Redis(l1, down=True)
    store = TieredFareCache(l1, redis, evictions=redis)
    l1.put(KEY, entry())

    evicted = await store.evict([KEY], timeout=1, shared=evicting(redis, how))

    assert evicted is False
    assert l1.peek(KEY) is None
    assert redis.seen == [False]  # the L1 went first, and the first failing call ends it
    assert (store.shared_available, store.shared_confirmed) == (False, False)


@pytest.mark.parametrize("how", ["l2 and feed", "shared"])
async def test_an_eviction_redis_answered_notes_redis_up(how: str) -> None:
    l1 = InMemoryFareCache(10)
    redis = Redis(l1, down=True)
    store = TieredFareCache(l1, redis, evictions=redis)
    await store.evict([KEY], timeout=1, shared=evicting(redis, how))  # Redis noted down
    redis.down = False
    l1.put(KEY, entry())

    evicted = await store.evict([KEY], timeout=1, shared=evicting(redis, how))

    assert evicted is True
    assert l1.peek(KEY) is None
    assert set(redis.seen) == {False}
    assert (store.shared_available, store.shared_confirmed) == (True, True)
