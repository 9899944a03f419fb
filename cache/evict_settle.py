"""Owed evictions finished in one Redis call: drop the keys, announce them, settle the records.

Finishing a batch of owed evictions (search/stale_fares.py) took three round trips in turn: the
keys' `DEL`s (cache/redis.py), the evictions feed's `XADD` (cache/evictions.py), then, once both
had answered, the owed records' `ZREM` (cache/tags.py). One script does the three in that order,
and a failing step stops the script before the ones after it, so a record is still settled only
once its keys are gone and announced (evicting twice is harmless: what fails stays owed).

Not for Redis Cluster: the cache keys, the stream and the owed set live in different slots,
and a script may touch one slot only (callers keep the separate calls there).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

import redis.asyncio as aioredis

from cache.batch import evalsha
from cache.evictions import MAXLEN, STREAM
from cache.model import REDIS_FAILURES, CacheError
from cache.tags import OWED_KEY
from kernel.logs import describe

# KEYS: the stream, the owed set, then the keys to drop. ARGV: the stream's MAXLEN (approximate,
# as `RedisEvictionFeed.publish`), the entry's `keys` field, then the records to settle.
_EVICT_SETTLE = """
if #KEYS > 2 then
    for i = 3, #KEYS do redis.call('DEL', KEYS[i]) end
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'keys', ARGV[2])
end
for i = 3, #ARGV do redis.call('ZREM', KEYS[2], ARGV[i]) end
return 1
"""


class EvictAndSettle(Protocol):
    """The port: evict `keys` (Redis and the feed), then settle `records`, all or raise
    `CacheError` (whatever ran before the failure stays done; the records stay owed)."""

    async def __call__(
        self, keys: Sequence[str], records: Sequence[str], *, timeout: float
    ) -> None: ...


class RedisEvictAndSettle:
    """`await fold(keys, records, timeout=…)`: `DEL` each key, one feed entry naming them, then
    `ZREM` each owed record, in one script call; `CacheError` when Redis did not run it all."""

    def __init__(
        self, client: aioredis.Redis, *, stream: str = STREAM, owed_key: str = OWED_KEY
    ) -> None:
        self._script = client.register_script(_EVICT_SETTLE)
        self._stream = stream
        self._owed_key = owed_key

    async def __call__(
        self, keys: Sequence[str], records: Sequence[str], *, timeout: float
    ) -> None:
        names = [self._stream, self._owed_key, *keys]
        try:
            async with asyncio.timeout(timeout):
                await evalsha(self._script, names, [MAXLEN, "\n".join(keys), *records])
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis eviction script failed: {describe(exc)}") from exc
