"""Evictions every process hears of: L1 is per process, so a wrong answer must leave all of them.

A process that evicts keys (`TieredFareCache.evict`) drops them from its own L1 and Redis, then
appends them to a Redis stream (`skyfare:fares:evictions`, capped). Every API process runs
`follow` (cache/stream_follow.py): a blocking `XREAD` on its own connection that drops each
announced key from its L1.
The cached-search fast path is untouched (no check per hit): the price is a few milliseconds
during which another process may still answer the old entry.

A stream rather than pub/sub: a follower that loses its connection resumes from the last entry it
read. While Redis is down nobody can evict (the tags that find entries live there too), so L1 goes
on serving; once the follower reads again it empties its L1 once, in case the capped stream lost
entries meanwhile, and the next searches reload from Redis or the airlines.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Protocol

import redis.asyncio as aioredis

from cache import stream_follow
from cache.memory import InMemoryFareCache
from cache.model import REDIS_FAILURES, CacheError
from kernel.logs import describe

STREAM = "skyfare:fares:evictions"
# Entries kept: far more than followers fall behind by between two reads (each read takes 512).
MAXLEN = 10_000


class EvictionFeed(Protocol):
    """The port: announce evicted keys to every process (`CacheError` when it cannot)."""

    async def publish(self, keys: Sequence[str], *, timeout: float) -> None: ...


class RedisEvictionFeed:
    """Publishes on the shared client; `follow` needs a client of its own whose socket timeout
    is longer than `block_ms` (a blocking read holds its connection)."""

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client

    async def publish(self, keys: Sequence[str], *, timeout: float) -> None:
        if not keys:
            return
        try:
            async with asyncio.timeout(timeout):
                await self._client.xadd(
                    STREAM, {"keys": "\n".join(keys)}, maxlen=MAXLEN, approximate=True
                )
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis XADD of evictions failed: {describe(exc)}") from exc


async def follow(
    client: aioredis.Redis,
    l1: InMemoryFareCache,
    *,
    block_ms: int = 2000,
    retry_s: float = 1.0,
    log_every_s: float = 30.0,
) -> None:
    """Drop every key announced on the stream from `l1`, until cancelled; after a failure to
    read, empty `l1` once (the capped stream may have lost entries meanwhile)."""
    await stream_follow.follow(
        client,
        STREAM,
        lambda fields: apply(l1, fields),
        on_gap=l1.clear,
        what="fare cache: evictions",
        block_ms=block_ms,
        retry_s=retry_s,
        log_every_s=log_every_s,
    )


def apply(l1: InMemoryFareCache, fields: dict[Any, Any]) -> None:
    """Drop the keys of one stream entry from `l1`."""
    text = stream_follow.field(fields, "keys")
    if text is not None:
        for key in text.split("\n"):
            l1.discard(key)
