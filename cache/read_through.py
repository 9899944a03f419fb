"""`ReadThroughCache`: lookups that load on a miss (single-flight) and revalidate stale entries.

A fresh L1 entry is answered without an await. Otherwise one lookup per key runs at a time in
this process (L1 → Redis → load): a hundred identical cold searches cost one fan-out. An entry
past its fresh TTL but inside its stale window is answered at once as `stale` while one
background refresh per key reloads it; those tasks are tracked and cancelled by `close`.

With a `FlightLock` (a Redis L2 shared by several processes), a miss in every layer first takes
the key's lock: the winner loads and stores, the others wait (at most `wait` seconds) for the
entry it stores and answer it as a `hit`, counted `redis`/`shared` (see `flight_lock`).

A loaded answer goes into L1 at once (this process's followers and next lookups find it there)
and is answered; its Redis write, and then the lock's release, run after it as a tracked task
(`behind`): the answer does not wait for Redis, yet another process waiting on the lock still
sees the entry before the lock goes. Loaders queue their own after-answer writes the same way.
A loader may also answer before it knows whether its answer may be stored: it returns the
verdict as a coroutine, run after the answer and after the entry's Redis write. The answer goes
into L1 at once and to Redis as any other; a verdict that refuses evicts it again, everywhere
(for those moments it is what a follower of the same flight was answered anyway). A verdict
that writes the entry itself (`SelfStored`: one round trip for the entry and the verdict's own
writes) is run the same way, without a write of the entry before it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Literal, NamedTuple

from cache import metrics
from cache.flight_lock import FlightLock, wait_for_entry
from cache.model import CacheError, FareEntry
from cache.single_flight import SingleFlight
from cache.tiered import TieredFareCache
from kernel.logs import describe

logger = logging.getLogger(__name__)

CacheState = Literal["hit", "miss", "stale"]
# What a loader returns: the encoded answer, and whether it may be stored (complete answers only)
# — or a coroutine that finds out, run after the answer (`ReadThroughCache._load`).
Verdict = Coroutine[Any, Any, bool]


class SelfStored(NamedTuple):
    """A verdict that writes the entry to Redis itself, in the same round trip as its own
    writes and before them (search/answer_writes.py): `ReadThroughCache` then only puts the
    answer in L1 and, if the verdict refuses, evicts it."""

    verdict: Verdict


Loaded = tuple[FareEntry, bool | Verdict | SelfStored]
# Called with background=True for a refresh that nobody waits for (so it takes a deadline of its
# own rather than what is left of the search that found the entry stale).
Loader = Callable[[bool], Awaitable[Loaded]]


class ReadThroughCache:
    """Answers `fetch(key, load)` from the tiered cache, loading (once per key) on a miss."""

    def __init__(
        self,
        store: TieredFareCache,
        *,
        clock: Callable[[], float] = time.time,
        lock: FlightLock | None = None,
        lock_wait_s: float = 1.0,
        poll_s: float = 0.015,
    ) -> None:
        self.store = store
        self._clock = clock
        self._lock = lock
        self._lock_wait_s = lock_wait_s
        self._poll_s = poll_s
        self._flights: SingleFlight[tuple[FareEntry, CacheState]] = SingleFlight()
        self._refreshes: dict[str, asyncio.Task[FareEntry]] = {}
        self._writes: set[asyncio.Task[Any]] = set()

    @property
    def refreshing(self) -> int:
        return len(self._refreshes)

    @property
    def writing(self) -> int:
        """Writes of answers already served that are still running (`behind`)."""
        return len(self._writes)

    def behind(self, write: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        """Run `write` after the answer it belongs to: tracked, awaited by `settle` and `close`.

        For writes that bound themselves (a timeout) and never raise for a failing Redis.
        """
        task = asyncio.ensure_future(write)
        self._writes.add(task)
        task.add_done_callback(self._written)
        return task

    async def fetch(
        self,
        key: str,
        load: Loader,
        *,
        timeout: float,
        use_cache: bool = True,
        wait: float | None = None,
    ) -> tuple[FareEntry, CacheState]:
        """The entry for `key` and how it was obtained; `timeout` bounds each remote cache call.

        `use_cache=False` skips the lookup (a forced live search) but still stores the answer.
        `wait` caps how long this lookup may wait for another process loading the same key
        (default `lock_wait_s`): what is left of the caller's deadline minus its own search.
        """
        if not use_cache:
            return await self._load(key, load, timeout), "miss"
        entry = self.store.peek_fresh(key)
        if entry is not None:
            return entry, "hit"
        wait_s = self._lock_wait_s if wait is None else wait
        return await self._flights.run(key, lambda: self._lookup(key, load, timeout, wait_s))

    async def settle(self) -> None:
        """Wait until no background refresh or write runs (a drain before shutdown; tests)."""
        while self._refreshes or self._writes:
            await asyncio.wait([*self._refreshes.values(), *self._writes])

    async def close(self) -> None:
        """Cancel running refreshes and loads, and wait for them (briefly); then wait for the
        writes of answers already served, not cancelled: each is bounded by its own timeout, and
        a lock is released only after its entry is written."""
        tasks = list(self._refreshes.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)
        await self._flights.close()
        if self._writes:
            await asyncio.wait(list(self._writes), timeout=1.0)

    async def _lookup(
        self, key: str, load: Loader, timeout: float, wait: float
    ) -> tuple[FareEntry, CacheState]:
        entry = await self.store.get(key, timeout=timeout)
        state = None if entry is None else entry.freshness(self._clock())
        if entry is not None and state is not None:
            if state == "stale":
                self._refresh(key, load, timeout)
            return entry, state
        if self._lock is None:
            return await self._load(key, load, timeout), "miss"
        return await self._load_once_across(self._lock, key, load, timeout, wait)

    async def _load_once_across(
        self, lock: FlightLock, key: str, load: Loader, timeout: float, wait: float
    ) -> tuple[FareEntry, CacheState]:
        try:
            token = await lock.acquire(key, timeout=timeout)
        except CacheError as exc:
            # Redis down or slow: the search goes on uncached, as in `TieredFareCache`.
            metrics.count("redis", "error")
            logger.debug("fare cache: lock for %s unavailable: %s", key, exc)
            return await self._load(key, load, timeout), "miss"
        if token is not None:
            unlock = self._unlock(lock, key, token, timeout)
            return await self._load(key, load, timeout, then=unlock), "miss"
        shared = await wait_for_entry(lock, key, timeout=timeout, wait=wait, poll_s=self._poll_s)
        if shared is not None and shared.freshness(self._clock()) is not None:
            metrics.count("redis", "shared")
            self.store.l1.put(key, shared)
            return shared, "hit"
        return await self._load(key, load, timeout), "miss"

    @staticmethod
    async def _unlock(lock: FlightLock, key: str, token: str, timeout: float) -> None:
        try:
            await lock.release(key, token, timeout=timeout)
        except CacheError as exc:
            # Harmless: the lock expires at its TTL; until then others wait for an entry.
            metrics.count("redis", "error")
            logger.debug("fare cache: releasing the lock for %s failed: %s", key, exc)

    async def _load(
        self,
        key: str,
        load: Loader,
        timeout: float,
        *,
        background: bool = False,
        then: Coroutine[Any, Any, None] | None = None,
    ) -> FareEntry:
        """Load, put a storable answer in L1 and return it; its Redis write runs `behind`,
        followed by `then` (a lock's release), which also runs when nothing is stored. A verdict
        still to come runs after the Redis write, and evicts the answer again if it refuses."""
        try:
            entry, storable = await load(background)
        except BaseException:
            if then is not None:
                await then
            raise
        if isinstance(storable, SelfStored):
            self.store.l1.put(key, entry)
            self.behind(self._keep_if(storable.verdict, key, timeout, then))
        elif not isinstance(storable, bool):
            self.store.l1.put(key, entry)
            self.behind(self._share_if(storable, key, entry, timeout, then))
        elif storable:
            self.store.l1.put(key, entry)
            self.behind(self._share(key, entry, timeout, then))
        elif then is not None:
            self.behind(then)
        return entry

    async def _share(
        self, key: str, entry: FareEntry, timeout: float, then: Coroutine[Any, Any, None] | None
    ) -> None:
        try:
            await self.store.share(key, entry, timeout=timeout)
        finally:
            if then is not None:
                await then

    async def _share_if(
        self,
        verdict: Verdict,
        key: str,
        entry: FareEntry,
        timeout: float,
        then: Coroutine[Any, Any, None] | None,
    ) -> None:
        # The entry is written first and the verdict asked after it: an eviction that comes
        # before the verdict's own writes refuses it (and the refused entry is evicted here,
        # everywhere); one that comes after them finds the entry written and evicts it.
        try:
            await self.store.share(key, entry, timeout=timeout)
            if not await verdict:
                await self.store.evict([key], timeout=timeout)
        finally:
            verdict.close()  # not awaited if the write was cancelled: no warning
            if then is not None:
                await then

    async def _keep_if(
        self, verdict: Verdict, key: str, timeout: float, then: Coroutine[Any, Any, None] | None
    ) -> None:
        try:
            if not await verdict:
                await self.store.evict([key], timeout=timeout)
        finally:
            verdict.close()
            if then is not None:
                await then

    def _written(self, task: asyncio.Task[Any]) -> None:
        self._writes.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.warning("fare cache: a write after the answer failed: %s", describe(exc))

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
            logger.warning("fare cache: background refresh of %s failed: %s", key, describe(exc))
