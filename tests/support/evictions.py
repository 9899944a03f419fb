"""Waiting on a follower of the evictions feed (cache/evictions.py) by what it did, not by time.

`follow` reads the stream from its newest entry at the time it starts, so an eviction published
before its first read is never seen: a test that sleeps "long enough" first fails on a busy
machine. `following` publishes a probe until the follower has dropped it from its L1.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence

import redis.asyncio as aioredis

from cache import evictions
from cache.memory import InMemoryFareCache
from cache.model import FareEntry
from tests.support.notify import eventually

BOUND_S = 30.0  # a bound for a broken follower, not a timing: a working one takes milliseconds


def entry() -> FareEntry:
    """A fresh, empty fare-cache entry, for an L1 or Redis to hold."""
    now = time.time()
    return FareEntry(b"[]", b"[]", False, 0, now, now + 60, now + 240)


async def following(client: aioredis.Redis, l1: InMemoryFareCache) -> None:
    """Return once the follower filling `l1` has read an entry published after it started."""
    probe = f"test:probe:{uuid.uuid4().hex}"
    l1.put(probe, entry())
    feed = evictions.RedisEvictionFeed(client)

    async def announced_and_dropped() -> bool:
        await feed.publish([probe], timeout=BOUND_S)
        return l1.peek(probe) is None

    await eventually(announced_and_dropped, timeout_s=BOUND_S)


async def dropped(l1: InMemoryFareCache, keys: Sequence[str]) -> None:
    """Return once the follower has dropped every one of `keys` from `l1`."""
    await eventually(lambda: all(l1.peek(k) is None for k in keys), timeout_s=BOUND_S)
