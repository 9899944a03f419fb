"""`RedisFareCache`: the shared L2, one Redis string per entry expiring at its `stale_until`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

import redis.asyncio as aioredis

from cache.batch import Queued
from cache.model import REDIS_FAILURES, CacheError, FareEntry, dump_entry, load_entry
from kernel.logs import describe


class RedisFareCache:
    """A `FareCache` over a `redis.asyncio` client (which owns the connections).

    Every call is bounded by its `timeout`; Redis errors, timeouts and undecodable values are all
    raised as `CacheError`, so the caller has one thing to treat as a miss.
    """

    def __init__(self, client: aioredis.Redis, *, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._clock = clock

    async def get(self, key: str, *, timeout: float) -> FareEntry | None:
        try:
            async with asyncio.timeout(timeout):
                data = await self._client.get(key)
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis GET failed: {describe(exc)}") from exc
        if data is None:
            return None
        # A client built with decode_responses=True hands back str.
        return load_entry(data if isinstance(data, bytes) else data.encode())

    async def set(self, key: str, entry: FareEntry, *, timeout: float) -> None:
        queued = self.set_command(key, entry)
        if queued is None:
            return
        try:
            async with asyncio.timeout(timeout):
                await queued.alone()
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis SET failed: {describe(exc)}") from exc

    def set_command(self, key: str, entry: FareEntry) -> Queued | None:
        """What `set` sends, for a batch (`cache.batch`); None when the entry is past its stale
        window (nothing to write)."""
        ttl_ms = int((entry.stale_until - self._clock()) * 1000)
        if ttl_ms <= 0:
            return None
        data = dump_entry(entry)
        return Queued(
            ("SET", key, data, "PX", ttl_ms), lambda: self._client.set(key, data, px=ttl_ms)
        )

    async def delete(self, keys: Sequence[str], *, timeout: float) -> None:
        if not keys:
            return
        try:
            async with asyncio.timeout(timeout):
                # One DEL per key: keys of one command must share a Redis Cluster slot.
                async with self._client.pipeline(transaction=False) as pipe:
                    for key in keys:
                        pipe.delete(key)
                    await pipe.execute()
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis DEL failed: {describe(exc)}") from exc
