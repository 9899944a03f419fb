"""Re-pricings whose price held, booked off the order's path: was the offer in a cached answer?

A re-pricing that finds the cached price was the price changes nothing in the cache. What is left
is bookkeeping: whether a cached answer held the offer (`skyfare_cache_price_checks_total{held}`
and the usage event's `source`), one Redis read of the offer's tag. An order's re-pricing need not
wait for it: `check` queues the offer and `run`'s task asks Redis about every offer queued since
its last round trip in one script call (`TagIndex.contains_each`), then calls each check's `then`.

One order matters. The order's own sale takes the offer's tag a moment later (`StaleFares.sold`);
a check answered after that take would find no tag and say `live`. So `answered(offer)` — which
the sale awaits before its take — returns once every check of `offer` queued so far has its answer.
The airline's hold comes between the two, so the answer is almost always in already and the sale
does not wait at all; when it must, it waits at most one round trip (bounded by `timeout_s`).

Never raises: a Redis that cannot answer makes the checks `live`, as the inline read did.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from cache.model import CacheError
from cache.tags import TagIndex

logger = logging.getLogger(__name__)

Then = Callable[[bool], None]  # told whether a cached answer held the offer


class HeldChecks:
    """Queued checks of whether an offer's tag exists, answered in batches by `run`."""

    def __init__(self, tags: TagIndex, *, timeout_s: float) -> None:
        self._tags = tags
        self._timeout_s = timeout_s
        self._queued: list[tuple[str, Then]] = []
        self._batch = asyncio.Event()  # set once the queued checks (the next batch) are answered
        self._wake = asyncio.Event()
        self._waiting: dict[str, asyncio.Event] = {}  # offer → its last check's batch

    def check(self, offer_id: str, then: Then) -> None:
        """Ask, off the caller's path, whether a cached answer holds `offer_id`; `then` hears."""
        self._queued.append((offer_id, then))
        self._waiting[offer_id] = self._batch
        self._wake.set()

    async def answered(self, offer_id: str) -> None:
        """Return once the checks of `offer_id` queued so far are answered (at most `timeout_s`)."""
        batch = self._waiting.get(offer_id)
        if batch is None or batch.is_set():
            return
        try:
            async with asyncio.timeout(self._timeout_s):
                await batch.wait()
        except TimeoutError:
            logger.warning("fare cache: an offer's price check was not answered in time")

    async def run(self) -> None:
        """Answer queued checks until cancelled, one round trip per batch."""
        while True:
            await self._wake.wait()
            await self.flush()

    async def flush(self) -> None:
        """Answer the checks queued now (at shutdown, and in tests)."""
        self._wake.clear()
        queued, batch = self._queued, self._batch
        self._queued, self._batch = [], asyncio.Event()
        if not queued:
            return
        offers = list(dict.fromkeys(offer_id for offer_id, _ in queued))
        try:
            found = await self._tags.contains_each(offers, timeout=self._timeout_s)
        except CacheError as exc:
            logger.warning("fare cache: cannot look up the answers holding an offer: %s", exc)
            found = [False] * len(offers)
        except asyncio.CancelledError:  # stopping: the flush at shutdown answers them
            self._queued[:0] = queued
            self._waiting.update({offer_id: self._batch for offer_id, _ in queued})
            raise
        batch.set()  # the `then`s below run before any waiter resumes
        for offer_id, _ in queued:
            if self._waiting.get(offer_id) is batch:
                del self._waiting[offer_id]
        held = dict(zip(offers, found, strict=True))
        for offer_id, then in queued:
            then(held[offer_id])
