"""`ReadThroughCache`: lookups that load on a miss (single-flight) and revalidate stale entries.

A fresh L1 entry is answered without an await. Otherwise one lookup per key runs at a time in
this process (L1 → Redis → load): a hundred identical cold searches cost one fan-out. An entry
past its fresh TTL but inside its stale window is answered at once as `stale` while one
background refresh per key reloads it; those tasks are tracked and cancelled by `close`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from cache.model import FareEntry
from cache.single_flight import SingleFlight
from cache.tiered import TieredFareCache

logger = logging.getLogger(__name__)

CacheState = Literal["hit", "miss", "stale"]
# What a loader returns: the encoded answer, and whether it may be stored (complete answers only).
Loaded = tuple[FareEntry, bool]
# Called with background=True for a refresh that nobody waits for (so it takes a deadline of its
# own rather than what is left of the search that found the entry stale).
Loader = Callable[[bool], Awaitable[Loaded]]


class ReadThroughCache:
    """Answers `fetch(key, load)` from the tiered cache, loading (once per key) on a miss."""

    def __init__(self, store: TieredFareCache, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self._clock = clock
        self._flights: SingleFlight[tuple[FareEntry, CacheState]] = SingleFlight()
        self._refreshes: dict[str, asyncio.Task[FareEntry]] = {}

    @property
    def refreshing(self) -> int:
        return len(self._refreshes)

    async def fetch(
        self, key: str, load: Loader, *, timeout: float, use_cache: bool = True
    ) -> tuple[FareEntry, CacheState]:
        """The entry for `key` and how it was obtained; `timeout` bounds each remote cache call.

        `use_cache=False` skips the lookup (a forced live search) but still stores the answer.
        """
        if not use_cache:
            return await self._load(key, load, timeout), "miss"
        entry = self.store.peek_fresh(key)
        if entry is not None:
            return entry, "hit"
        return await self._flights.run(key, lambda: self._lookup(key, load, timeout))

    async def settle(self) -> None:
        """Wait until no background refresh runs (a drain before shutdown; tests)."""
        while self._refreshes:
            await asyncio.wait(list(self._refreshes.values()))

    async def close(self) -> None:
        """Cancel running refreshes and loads, and wait for them (briefly)."""
        tasks = list(self._refreshes.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)
        await self._flights.close()

    async def _lookup(self, key: str, load: Loader, timeout: float) -> tuple[FareEntry, CacheState]:
        entry = await self.store.get(key, timeout=timeout)
        state = None if entry is None else entry.freshness(self._clock())
        if entry is not None and state is not None:
            if state == "stale":
                self._refresh(key, load, timeout)
            return entry, state
        return await self._load(key, load, timeout), "miss"

    async def _load(
        self, key: str, load: Loader, timeout: float, *, background: bool = False
    ) -> FareEntry:
        entry, storable = await load(background)
        if storable:
            await self.store.set(key, entry, timeout=timeout)
        return entry

    def _refresh(self, key: str, load: Loader, timeout: float) -> None:
        if key in self._refreshes:
            return
        task = asyncio.ensure_future(self._load(key, load, timeout, background=True))
        self._refreshes[key] = task
        task.add_done_callback(lambda done: self._refreshed(key, done))

    def _refreshed(self, key: str, task: asyncio.Task[FareEntry]) -> None:
        if self._refreshes.get(key) is task:
            del self._refreshes[key]
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.warning("fare cache: background refresh of %s failed: %r", key, exc)
