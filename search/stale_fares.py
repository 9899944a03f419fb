"""Stale fares: when re-pricing shows a cached offer's price is wrong, the cache forgets it.

A sale moves an airline's price, but the fare cache would answer the old one until its TTL and
every booking from it would end in a 409. So each stored answer is tagged with its offer ids
(`remember`); when re-pricing an offer (`GET /v1/offers/{id}`, order creation, a refused hold)
finds another price or no seats, `checked` follows the offer's tag to every cached answer that
holds it and evicts them (this process's L1, Redis, every other process's L1) with their
cheapest-fare index entries, so the next search asks the airlines and shows the truth. A hold we
just made (`sold`) evicts the same way: our own sale moved the price.

Each check of an offer a cached answer holds counts in `skyfare_cache_price_checks_total{outcome}`
(held | changed | gone): the share `held` is how often a cached price was the price.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

from prometheus_client import Counter

from cache.model import CacheError, FareEntry
from cache.tags import TagIndex
from cache.tiered import TieredFareCache
from search.fare_index import FareIndex, IndexSlot

logger = logging.getLogger(__name__)

PriceCheck = Literal["held", "changed", "gone"]

PRICE_CHECKS = Counter(
    "skyfare_cache_price_checks_total",
    "Re-pricings of offers a cached search answer holds, by outcome: held (the cached price was"
    " the price), changed (another price) or gone (sold out, expired); the last two evict.",
    ["outcome"],
)
_COUNTERS = {outcome: PRICE_CHECKS.labels(outcome) for outcome in ("held", "changed", "gone")}

# How long an eviction mark outlives the eviction: longer than any search (deadlines are at most
# 10 s), so every search in flight when it happened has ended by then.
MARK_S = 30.0
_SEP = "\x1f"  # between the parts of a tag member; in neither cache keys nor index keys


def member(key: str, slot: IndexSlot | None) -> str:
    """What an offer's tag records for one answer: its cache key and its index slot, if any."""
    return key if slot is None else _SEP.join((key, slot.key, slot.field))


def parse_members(members: Iterable[str]) -> tuple[list[str], list[IndexSlot]]:
    """The cache keys and the index slots the members name (each once, in a stable order)."""
    keys: set[str] = set()
    slots: set[tuple[str, str]] = set()
    for text in members:
        parts = text.split(_SEP)
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
    ) -> None:
        self._store = store
        self._tags = tags
        self._index = index
        # A check waits on an airline's answer anyway; tagging runs inside a search's deadline.
        self._timeout_s = timeout_s
        self._tag_timeout_s = tag_timeout_s
        self._clock = clock

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
        try:
            return await self._tags.add(
                offer_ids,
                member(key, slot),
                ttl_s=entry.stale_until - self._clock(),
                timeout=self._tag_timeout_s,
                unless_marked=key,
                since=began,
            )
        except CacheError as exc:
            logger.debug("fare cache: tagging %s failed: %s", key, exc)
            return True  # stored untagged, as before tags: it lives out its TTL

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

    async def sold(self, offer_id: str) -> None:
        """Seats of `offer_id` were just held: the airline's price for its flights moves with
        the sale, so the answers quoting the old one go before the next traveler books them."""
        await self._evict(offer_id, "sold")

    async def _evict(self, offer_id: str, why: str) -> bool:
        """Evict every answer holding `offer_id`; False when none (any more) does."""
        try:
            members = await self._tags.take(offer_id, timeout=self._timeout_s)
        except CacheError as exc:
            logger.warning("fare cache: cannot look up the answers holding an offer: %s", exc)
            return False
        if not members:
            return False
        keys, slots = parse_members(members)
        logger.info("fare cache: offer %s, evicting %d answers", why, len(keys))
        try:
            # Marked before they go: a search in flight must not store its older answer back.
            await self._tags.mark(keys, at=self._clock(), ttl_s=MARK_S, timeout=self._timeout_s)
        except CacheError as exc:
            logger.warning("fare cache: cannot mark evicted answers: %s", exc)
        await self._store.evict(keys, timeout=self._timeout_s)
        if self._index is not None and slots:
            await self._index.forget(slots, offer_id)
        return True
