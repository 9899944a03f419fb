"""Stale fares: when re-pricing shows a cached offer's price is wrong, the cache forgets it.

A sale moves an airline's price, but the fare cache would answer the old one until its TTL and
every booking from it would end in a 409. So each stored answer is tagged with its offer ids
(`remember`); when re-pricing an offer (`GET /v1/offers/{id}`, order creation, a refused hold)
finds another price or no seats, `checked` follows the offer's tag to every cached answer that
holds it and evicts them (this process's L1, Redis, every other process's L1) with their
cheapest-fare index entries, so the next search asks the airlines and shows the truth. A hold we
just made (`sold`) evicts the same way: our own sale moved the price — but after the hold has
answered: its path pays one Redis round trip that takes the tag and records the eviction as owed
(in Redis, so a crash cannot lose it), and `run`'s task evicts and settles, in batches. An order's
re-pricing whose price held (`check_held`) evicts nothing; whether a cached answer held the offer
is looked up by the same task, after the order moved on (search/held_checks.py).

Each check of an offer a cached answer holds counts in `skyfare_cache_price_checks_total{outcome}`
(held | changed | gone): the share `held` is how often a cached price was the price.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Literal, get_args

from prometheus_client import Counter

from cache.evict_settle import EvictAndSettle
from cache.model import CacheError, FareEntry
from cache.tags import SEP, Owed, TagIndex
from cache.tiered import SharedEviction, TieredFareCache
from search.fare_index import FareIndex, IndexSlot
from search.held_checks import HeldChecks, Then

logger = logging.getLogger(__name__)

PriceCheck = Literal["held", "changed", "gone"]

PRICE_CHECKS = Counter(
    "skyfare_cache_price_checks_total",
    "Re-pricings of offers a cached search answer holds, by outcome: held (the cached price was"
    " the price), changed (another price) or gone (sold out, expired); the last two evict.",
    ["outcome"],
)
# Its series, at 0 from the first `StaleFares` (not at import: every process imports this module,
# and the relay, the worker and analytics check no cached prices); looked up per check.
_COUNTERS: dict[str, Counter] = {}


def _start_counters() -> None:
    for outcome in get_args(PriceCheck):
        _COUNTERS.setdefault(outcome, PRICE_CHECKS.labels(outcome))


# How long an eviction mark outlives the eviction: longer than any search (deadlines are at most
# 10 s), so every search in flight when it happened has ended by then.
MARK_S = 30.0
# An owed eviction another process may finish: long after its own process would have (each step
# is bounded by `timeout_s`), so a live process's queue is not raced but for a Redis outage.
OVERDUE_S = 30.0
OVERDUE_BATCH = 100
RETRY_EVERY_S = 10.0


def member(key: str, slot: IndexSlot | None) -> str:
    """What an offer's tag records for one answer: its cache key and its index slot, if any."""
    return key if slot is None else SEP.join((key, slot.key, slot.field))


def parse_members(members: Iterable[str]) -> tuple[list[str], list[IndexSlot]]:
    """The cache keys and the index slots the members name (each once, in a stable order)."""
    keys: set[str] = set()
    slots: set[tuple[str, str]] = set()
    for text in members:
        parts = text.split(SEP)
        keys.add(parts[0])
        if len(parts) == 3:
            slots.add((parts[1], parts[2]))
    return sorted(keys), [IndexSlot(k, f) for k, f in sorted(slots)]


class StaleFares:
    """Tags stored answers with their offers and evicts the answers whose offers re-priced wrong.

    Never raises: a Redis that cannot answer costs a stale answer until its TTL, as before.
    """

    def __init__(
        self,
        store: TieredFareCache,
        tags: TagIndex,
        index: FareIndex | None,
        *,
        timeout_s: float,
        tag_timeout_s: float,
        clock: Callable[[], float] = time.time,
        evict_settle: EvictAndSettle | None = None,
    ) -> None:
        self._store = store
        self._tags = tags
        self._index = index
        # A check waits on an airline's answer anyway; tagging runs inside a search's deadline.
        self._timeout_s = timeout_s
        self._tag_timeout_s = tag_timeout_s
        self._clock = clock
        self._owed: asyncio.Queue[Owed] = asyncio.Queue()  # sold, to evict after the answer
        self._held = HeldChecks(tags, timeout_s=timeout_s)
        _start_counters()
        # One round trip for a batch's DELs, feed entry and settle (not on a Redis Cluster).
        self._evict_settle = evict_settle

    async def remember(
        self,
        key: str,
        entry: FareEntry,
        offer_ids: Sequence[str],
        slot: IndexSlot | None,
        *,
        began: float,
    ) -> bool:
        """Tag the answer about to be stored under `key` with each of its offers, for as long as
        it lives. False when `key` was evicted after its search `began` (unix seconds): the
        answer may predate the sale that evicted it, so it must not be stored."""
        called = time.monotonic()
        try:
            added = await self._tags.add(
                offer_ids,
                member(key, slot),
                ttl_s=entry.stale_until - self._clock(),
                timeout=self._tag_timeout_s,
                unless_marked=key,
                since=began,
            )
        except CacheError as exc:
            logger.debug("fare cache: tagging %s failed: %s", key, exc)
            # The search's last Redis call before its answer (the entry is written after):
            # it is what flags this answer `cache_unavailable`.
            self._store.noted(exc, began=called)
            return True  # stored untagged, as before tags: it lives out its TTL
        self._store.noted(None, began=called)
        return added

    async def checked(self, offer_id: str, outcome: PriceCheck) -> bool:
        """What re-pricing `offer_id` with its airline found; evicts on `changed` and `gone`.

        True when a cached answer held the offer (what usage events call a check "from cache").
        """
        if outcome == "held":
            try:
                if await self._tags.contains(offer_id, timeout=self._timeout_s):
                    _COUNTERS[outcome].inc()
                    return True
            except CacheError as exc:
                logger.warning("fare cache: cannot look up the answers holding an offer: %s", exc)
            return False
        if await self._evict(offer_id, outcome):
            _COUNTERS[outcome].inc()
            return True
        return False

    def check_held(self, offer_id: str, then: Then | None = None) -> None:
        """`checked(offer_id, "held")` off the caller's path: `run`'s task asks Redis, counts,
        and tells `then` whether a cached answer held the offer (search/held_checks.py)."""

        def counted(cached: bool) -> None:
            if cached:
                _COUNTERS["held"].inc()
            if then is not None:
                then(cached)

        self._held.check(offer_id, counted)

    async def sold(self, offer_id: str) -> None:
        """Seats of `offer_id` were just held: the airline's price for its flights moves with
        the sale, so the answers quoting the old one go before the next traveler books them.

        One Redis round trip on the hold's path: the tag is taken, the answers marked and their
        eviction recorded as owed at once (`TagIndex.take_owed`). The evictions themselves run
        in `run`'s task, in batches, after the hold has answered; a process that dies before
        finishing them leaves them owed, and another process's `run` finishes them once overdue.
        """
        await self._held.answered(offer_id)  # its re-pricing's check sees the tag before we take it
        taken = await self._take(offer_id)
        if taken is None:
            return
        # This process's L1 at once (no I/O): the traveler who just booked, searching again
        # here, is not shown the old price; Redis and the other processes follow within moments.
        for key in parse_members(taken.members)[0]:
            self._store.l1.discard(key)
        self._owed.put_nowait(taken)

    async def run(self, *, retry_every_s: float = RETRY_EVERY_S) -> None:
        """Finish owed evictions until cancelled: this process's as `sold` queues them, and every
        `retry_every_s` those left overdue by any process (crashed, or Redis failed it); and
        answer the queued `check_held`s."""
        await asyncio.gather(self._held.run(), self._evict_owed(retry_every_s))

    async def _evict_owed(self, retry_every_s: float) -> None:
        loop = asyncio.get_running_loop()
        retry_at = loop.time()
        while True:
            try:
                async with asyncio.timeout_at(retry_at):
                    batch = [await self._owed.get()]
            except TimeoutError:
                batch = []
            while not self._owed.empty():  # one batch for every sale queued meanwhile
                batch.append(self._owed.get_nowait())
            if batch:
                await self._finish(batch)
            if loop.time() >= retry_at:
                await self.finish_overdue()
                retry_at = loop.time() + retry_every_s

    async def finish_owed(self) -> None:
        """Answer the queued `check_held`s and finish this process's queued evictions now (at
        shutdown, and in tests)."""
        await self._held.flush()
        batch = []
        while not self._owed.empty():
            batch.append(self._owed.get_nowait())
        if batch:
            await self._finish(batch)

    async def finish_overdue(self) -> None:
        """Finish the owed evictions taken more than `OVERDUE_S` ago, by any process."""
        now = self._clock()
        try:
            due = await self._tags.overdue(
                taken_before=now - OVERDUE_S, now=now, limit=OVERDUE_BATCH, timeout=self._timeout_s
            )
        except CacheError as exc:
            logger.warning("fare cache: cannot read the owed evictions: %s", exc)
            return
        if due:
            logger.warning("fare cache: finishing %d overdue evictions", len(due))
            await self._finish(due)

    async def _evict(self, offer_id: str, why: str) -> bool:
        """Evict every answer holding `offer_id` now; False when none (any more) does."""
        taken = await self._take(offer_id)
        if taken is None:
            return False
        logger.info("fare cache: offer %s, evicting %d answers", why, len(taken.members))
        await self._finish([taken])
        return True

    async def _take(self, offer_id: str) -> Owed | None:
        try:
            # Marked before they go: a search in flight must not store its older answer back.
            return await self._tags.take_owed(
                offer_id, at=self._clock(), mark_ttl_s=MARK_S, timeout=self._timeout_s
            )
        except CacheError as exc:
            logger.warning("fare cache: cannot look up the answers holding an offer: %s", exc)
            return None

    async def _finish(self, batch: Sequence[Owed]) -> None:
        """Evict what `batch` owes, all keys at once, then settle it; what fails stays owed."""
        keys: set[str] = set()
        fares: list[tuple[IndexSlot, str]] = []  # each slot, and the offer it must still hold
        for taken in batch:
            owed_keys, slots = parse_members(taken.members)
            keys.update(owed_keys)
            fares.extend((slot, taken.tag) for slot in slots)
        # The whole batch's index fares in one read (`forget_each`), not one per sale.
        forgets = [self._index.forget_each(fares)] if self._index is not None and fares else []
        records = [t.record for t in batch]
        fold = self._evict_settle
        # With the fold, the settle runs in the eviction's own Redis call, after its DELs and
        # feed entry; a failure there stays owed as any other (retried once overdue).
        shared: SharedEviction | None = (
            None if fold is None else lambda k, *, timeout: fold(k, records, timeout=timeout)
        )
        # At once; neither raises: a failed forget leaves an index entry to expire, as before.
        evicted, *_ = await asyncio.gather(
            self._store.evict(sorted(keys), timeout=self._timeout_s, shared=shared), *forgets
        )
        if not evicted or fold is not None:
            return
        try:
            await self._tags.settle(records, timeout=self._timeout_s)
        except CacheError as exc:  # retried once overdue: evicting twice is harmless
            logger.warning("fare cache: cannot settle owed evictions: %s", exc)
