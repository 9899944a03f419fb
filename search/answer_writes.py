"""`AnswerWrites`: a stored answer's Redis writes in one round trip.

After a cold search has answered, three writes follow it (search/service.py): the entry's SET
(`RedisFareCache`), its offer tags (`RedisTagIndex.add`: the verdict, which refuses an answer
an eviction or a re-pricing overtook) and its cheapest fare in the index (`RedisFareIndex`).
Sent one by one they cost three round trips, two tasks and three wake-ups of a Redis that shares
the worker's core; here they go as one pipeline (`cache.batch`), in that order: Redis runs them
in order, so the tags are asked after the entry is written, as before — an eviction before the
tags refuses them, one after finds the entry. What each outcome means is unchanged: the SET's
and the tags' say whether Redis answers (`TieredFareCache.noted`), a refusal evicts the answer
(the caller) and takes its fare back out of the index, a failed index write is logged.

One Redis only. On Redis Cluster the three keys live on different shards and a cluster pipeline
writes to the shards concurrently, which would lose the order: there the writes stay separate
(skyfare/search_contexts.py wires this only for a single Redis).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

import redis.asyncio as aioredis

from cache.batch import send
from cache.model import REDIS_FAILURES, CacheError, FareEntry
from cache.redis import RedisFareCache
from cache.tags import RedisTagIndex
from cache.tiered import TieredFareCache
from kernel.logs import describe
from search.fare_index import CheapestFare, IndexSlot
from search.fare_index_redis import RedisFareIndex
from search.stale_fares import member

logger = logging.getLogger(__name__)


class AnswerWrites:
    """Writes a served answer's entry, tags and index fare at once; never raises for Redis."""

    def __init__(
        self,
        client: aioredis.Redis,
        store: TieredFareCache,
        entries: RedisFareCache,
        tags: RedisTagIndex,
        index: RedisFareIndex | None,
        *,
        timeout_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._store = store
        self._entries = entries
        self._tags = tags
        self._index = index
        self._timeout_s = timeout_s
        self._clock = clock

    async def write(
        self,
        key: str,
        entry: FareEntry,
        offer_ids: Sequence[str],
        slot: IndexSlot | None,
        fare: CheapestFare | None,
        *,
        began: float,
    ) -> bool:
        """Write the entry under `key`, tag it with `offer_ids` and record `fare` in `slot`;
        False when the tags refused it (its key or an offer was evicted after its search
        `began`, unix seconds): the caller evicts the entry, the fare is forgotten here."""
        tagging = self._tags.add_command(
            offer_ids,
            member(key, slot),
            ttl_s=entry.stale_until - self._clock(),
            unless_marked=key,
            since=began,
        )
        indexing = None
        if self._index is not None and slot is not None and fare is not None:
            indexing = self._index.record_command(slot, fare)
        storing = self._entries.set_command(key, entry)
        queued = [q for q in (storing, tagging, indexing) if q is not None]
        if not queued:
            return True
        called = time.monotonic()
        try:
            async with asyncio.timeout(self._timeout_s):
                replies = await send(self._client, queued)
        except REDIS_FAILURES as exc:
            # As each write failing alone would: Redis is noted down, the answer stays
            # untagged for its TTL (nothing refused it), the index write is logged.
            self._store.noted(CacheError(f"redis writes failed: {describe(exc)}"), began=called)
            if indexing is not None:
                self._failed_index(exc)
            return True
        reply = {id(q): r for q, r in zip(queued, replies, strict=True)}
        # The entry's SET and the tags say whether Redis answers; the index's write does not.
        failure = next(
            (
                r
                for q in (storing, tagging)
                if q is not None and isinstance(r := reply[id(q)], Exception)
            ),
            None,
        )
        self._store.noted(None if failure is None else CacheError(describe(failure)), began=called)
        if indexing is not None and isinstance(recorded := reply[id(indexing)], Exception):
            self._failed_index(recorded)
        if tagging is None or isinstance(reply[id(tagging)], Exception) or reply[id(tagging)]:
            return True  # tagged — or stored untagged, as a failed tag write alone leaves it
        if indexing is not None and self._index is not None and slot is not None and fare:
            await self._index.forget([slot], fare.offer_id)
        return False

    def _failed_index(self, exc: BaseException) -> None:
        if self._index is not None:
            self._index.failed(exc)
