"""`TieredFareCache`: L1 (this process) → L2 (Redis, shared) → miss, with per-layer metrics.

A failing L2 never fails a lookup: its errors count as `error`, are logged at most once per
`log_every_s`, and the lookup goes on as a miss. Nothing is disabled after errors, so the cache
recovers by itself as soon as Redis answers again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from cache import metrics
from cache.evictions import EvictionFeed
from cache.memory import InMemoryFareCache
from cache.model import CacheError, FareCache, FareEntry

logger = logging.getLogger(__name__)


class SharedEviction(Protocol):
    """`evict`'s Redis part: drop `keys` from Redis, then tell the other processes' L1s;
    `CacheError` when it could not do it all (what ran before the failure stays done)."""

    async def __call__(self, keys: Sequence[str], *, timeout: float) -> None: ...


class TieredFareCache:
    """A `FareCache` reading L1 then L2, writing both; an L2 hit is copied into L1."""

    def __init__(
        self,
        l1: InMemoryFareCache,
        l2: FareCache | None = None,
        *,
        clock: Callable[[], float] = time.time,
        log_every_s: float = 10.0,
        evictions: EvictionFeed | None = None,
    ) -> None:
        self.l1 = l1
        self._l2 = l2
        self._evictions = evictions
        self._clock = clock
        self._log_every_s = log_every_s
        self._last_log = -float("inf")
        self._suppressed = 0
        # Whether the last call to Redis answered: False while it is down, so an answer it
        # could not cache says so (searches are flagged, not failed).
        self.shared_available = True
        # Whether Redis has answered since this process started or last saw it fail: until it
        # has, an answer waits for its own Redis call, so its flag is known, not assumed. Only
        # a call begun after the last failure confirms it (an older one may answer later).
        self.shared_confirmed = False
        self._failed_at = -float("inf")
        metrics.start()  # this process looks fares up: its counts exported from now on, at 0

    def peek_fresh(self, key: str) -> FareEntry | None:
        """A fresh L1 entry (by the L1's clock), without awaiting anything (the hot path of a
        cached search)."""
        entry = self.l1.peek_fresh(key)
        if entry is not None:
            metrics.count("l1", "hit")
        return entry

    async def get(self, key: str, *, timeout: float) -> FareEntry | None:
        local = self.l1.peek(key)
        now = self._clock()
        if local is not None and local.fresh_until > now:
            metrics.count("l1", "hit")
            return local
        metrics.count("l1", "miss" if local is None else "stale")
        if self._l2 is None:
            return local
        began = time.monotonic()
        try:
            shared = await self._l2.get(key, timeout=timeout)
        except CacheError as exc:
            self._error(exc)
            return local
        self._answered(began)
        if shared is None or (local is not None and shared.cached_at <= local.cached_at):
            metrics.count("redis", "miss" if shared is None else "stale")
            return local
        metrics.count("redis", "hit" if shared.freshness(now) == "hit" else "stale")
        self.l1.put(key, shared)
        return shared

    async def set(self, key: str, entry: FareEntry, *, timeout: float) -> None:
        self.l1.put(key, entry)
        await self.share(key, entry, timeout=timeout)

    async def share(self, key: str, entry: FareEntry, *, timeout: float) -> None:
        """Write `entry` to Redis only (its L1 copy is the caller's): never raises."""
        if self._l2 is None:
            return
        began = time.monotonic()
        try:
            await self._l2.set(key, entry, timeout=timeout)
        except CacheError as exc:
            self._error(exc)
            return
        self._answered(began)

    def noted(self, failure: CacheError | None, *, began: float) -> None:
        """The outcome of another call to the same Redis (a search's tags), begun at `began`
        (`time.monotonic()`): it also says whether Redis answers."""
        if failure is None:
            self._answered(began)
        else:
            self._error(failure)

    async def evict(
        self, keys: Sequence[str], *, timeout: float, shared: SharedEviction | None = None
    ) -> bool:
        """Forget `keys` everywhere: this L1 at once, Redis, then every other process's L1 (they
        follow the `evictions` feed). The next lookup of a key misses and loads afresh. False
        when Redis failed: the keys may still be there or in another process's L1.

        `shared`, when given, is the Redis part instead of the L2's and the feed's own calls:
        one call that does both and more (search/stale_fares.py settles its records in it)."""
        for key in keys:
            self.l1.discard(key)
        if shared is None:
            if self._l2 is None and self._evictions is None:
                return True
            shared = self._evict_shared
        began = time.monotonic()
        try:
            await shared(keys, timeout=timeout)
        except CacheError as exc:
            self._error(exc)
            return False
        self._answered(began)
        return True

    async def _evict_shared(self, keys: Sequence[str], *, timeout: float) -> None:
        if self._l2 is not None:
            await self._l2.delete(keys, timeout=timeout)
        if self._evictions is not None:
            await self._evictions.publish(keys, timeout=timeout)

    def _answered(self, began: float) -> None:
        self.shared_available = True
        if began >= self._failed_at:
            self.shared_confirmed = True

    def _error(self, exc: CacheError) -> None:
        self.shared_available = self.shared_confirmed = False
        self._failed_at = time.monotonic()
        metrics.count("redis", "error")
        now = time.monotonic()
        if now - self._last_log < self._log_every_s:
            self._suppressed += 1
            return
        # Rate-limited: Redis down means one error per search, thousands a second.
        logger.warning(
            "fare cache: redis unavailable, serving uncached (%d similar errors suppressed): %s",
            self._suppressed,
            exc,
        )
        self._last_log, self._suppressed = now, 0
