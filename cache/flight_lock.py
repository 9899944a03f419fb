"""Cross-process single-flight: a short Redis lock per key, so one worker loads a missed entry.

The worker that takes the lock (`SET lock token NX PX ttl`) loads and stores the entry, then
releases the lock only if it still holds it. The others poll for the entry (one `MGET` of entry
and lock per poll) until it appears, the lock is gone without an entry (the winner failed or its
answer was not storable), or their wait runs out; in the last two cases they load themselves.
The lock's TTL bounds how long a crashed or hung winner can hold the others.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Protocol

import redis.asyncio as aioredis

from cache.memory import InMemoryFareCache
from cache.model import REDIS_FAILURES, CacheError, FareEntry, load_entry
from kernel.logs import describe

LOCK_PREFIX = "skyfare:fares:lock:"


def lock_key(key: str) -> str:
    """The lock of the entry `key`, in the entry's Redis Cluster slot (one MGET reads both): the
    key becomes the lock's hash tag, unless it carries a tag of its own, which then still rules."""
    start = key.find("{")
    if start != -1 and key.find("}", start + 1) > start + 1:
        return LOCK_PREFIX + key
    return LOCK_PREFIX + "{" + key + "}"


MIN_TTL_S = 0.1
MAX_TTL_S = 10.0

# Deletes the lock only if it still holds our token: past its TTL it may be another worker's.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class FlightLock(Protocol):
    """The port: one holder per key at a time, for at most the lock's TTL.

    Every call is bounded by `timeout` seconds and raises `CacheError` when the lock store cannot
    answer; callers then load locally, as if there were no lock.
    """

    async def acquire(self, key: str, *, timeout: float) -> str | None:
        """A token when this caller now holds the lock, None when another does."""
        ...

    async def release(self, key: str, token: str, *, timeout: float) -> None: ...

    async def peek(self, key: str, *, timeout: float) -> tuple[FareEntry | None, bool]:
        """The shared entry for `key` (None if absent), and whether the lock is held."""
        ...


def lock_ttl(seconds: float) -> float:
    """The lock TTL for a search deadline: long enough for one search, short enough that a
    hung winner blocks nobody for long."""
    return min(MAX_TTL_S, max(MIN_TTL_S, seconds))


class RedisFlightLock:
    """A `FlightLock` over the same Redis that holds the entries (`RedisFareCache`)."""

    def __init__(self, client: aioredis.Redis, *, ttl_s: float) -> None:
        self._client = client
        self._ttl_ms = int(lock_ttl(ttl_s) * 1000)
        self._release = client.register_script(_RELEASE)

    async def acquire(self, key: str, *, timeout: float) -> str | None:
        token = secrets.token_hex(8)
        try:
            async with asyncio.timeout(timeout):
                taken = await self._client.set(lock_key(key), token, nx=True, px=self._ttl_ms)
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis lock SET failed: {describe(exc)}") from exc
        return token if taken else None

    async def release(self, key: str, token: str, *, timeout: float) -> None:
        try:
            async with asyncio.timeout(timeout):
                await self._release(keys=[lock_key(key)], args=[token])
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis lock release failed: {describe(exc)}") from exc

    async def peek(self, key: str, *, timeout: float) -> tuple[FareEntry | None, bool]:
        try:
            async with asyncio.timeout(timeout):
                data, lock = await self._client.mget(key, lock_key(key))
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis lock MGET failed: {describe(exc)}") from exc
        if data is None:
            return None, lock is not None
        return load_entry(data if isinstance(data, bytes) else data.encode()), lock is not None


class InMemoryFlightLock:
    """A `FlightLock` in a dict, over a shared `InMemoryFareCache` standing in for Redis.

    The fake of the port: share one between two `ReadThroughCache`s (each with its own L1 and
    this `shared` cache as L2) to play two processes. No TTL: `release` is the only way out.
    """

    def __init__(self, shared: InMemoryFareCache) -> None:
        self.shared = shared
        self.holders: dict[str, str] = {}

    async def acquire(self, key: str, *, timeout: float) -> str | None:
        if key in self.holders:
            return None
        token = self.holders[key] = secrets.token_hex(8)
        return token

    async def release(self, key: str, token: str, *, timeout: float) -> None:
        if self.holders.get(key) == token:
            del self.holders[key]

    async def peek(self, key: str, *, timeout: float) -> tuple[FareEntry | None, bool]:
        return self.shared.peek(key), key in self.holders


async def wait_for_entry(
    lock: FlightLock, key: str, *, timeout: float, wait: float, poll_s: float
) -> FareEntry | None:
    """The entry another worker stores for `key` within `wait` seconds, else None.

    None as soon as the lock is gone without an entry or the lock store fails: waiting longer
    could only cost the caller its deadline.
    """
    loop = asyncio.get_running_loop()
    give_up = loop.time() + wait
    while True:
        try:
            entry, held = await lock.peek(key, timeout=timeout)
        except CacheError:
            return None
        if entry is not None:
            return entry
        remaining = give_up - loop.time()
        if not held or remaining <= 0:
            return None
        await asyncio.sleep(min(poll_s, remaining))
