"""The cheapest-fare index: the cheapest offer of each cached search answer, by route and day.

Bulk fares and the fare calendar read it instead of the fare cache, whose keys are hashes of
whole searches. One Redis hash per (scope, route, cabin, adults, month, currency), one field per
departure day (`2026-12-20`) or round trip (`2026-12-20/2026-12-27`); see `RedisFareIndex`. Only
searches whose cheapest offer is the one a partner asks for are indexed (`slot_for_search`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

import msgspec

from cache.model import FareEntry
from connectors.model import Offer
from kernel.logs import describe
from search.model import SearchRequest

logger = logging.getLogger(__name__)

PREFIX = "skyfare:cheapest:v1:"


class CheapestFare(msgspec.Struct, frozen=True, array_like=True):
    """The cheapest offer of one cached answer; times are wall-clock unix seconds. `offers`:
    how many the search found, whatever `limit` the traveler who searched gave."""

    amount: Decimal
    currency: str
    offer_id: str
    offers: int
    cached_at: float
    fresh_until: float
    stale_until: float

    @classmethod
    def of(cls, offer: Offer, entry: FareEntry) -> CheapestFare:
        return cls(
            offer.total_amount, offer.total_currency, offer.id, entry.offers_found,
            entry.cached_at, entry.fresh_until, entry.stale_until,
        )  # fmt: skip

    def usable(self, now: float, max_age_s: float) -> bool:
        """Cached within `max_age_s` and still inside its stale window."""
        return now < self.stale_until and now - self.cached_at <= max_age_s


class _OfferHead(msgspec.Struct, frozen=True):
    id: str
    total_amount: Decimal
    total_currency: str


_heads = msgspec.json.Decoder(tuple[_OfferHead, ...])


def cheapest_of(entry: FareEntry) -> CheapestFare | None:
    """The first offer of a price-ranked entry (decoding only the fields it needs), or None."""
    heads = _heads.decode(entry.offers)
    if not heads:
        return None
    first = heads[0]
    return CheapestFare(
        first.total_amount, first.total_currency, first.id, entry.offers_found,
        entry.cached_at, entry.fresh_until, entry.stale_until,
    )  # fmt: skip


class IndexSlot(msgspec.Struct, frozen=True):
    """Where one (route, dates, cabin, adults) lives: a Redis hash and a field of it."""

    key: str
    field: str


class FareIndexError(Exception):
    """The index could not answer (Redis down, slow, garbage)."""


def scope_of(cache_scope: bytes) -> str:
    """A short tag of the connector set, so processes searching other airlines share nothing."""
    return hashlib.blake2b(cache_scope, digest_size=6).hexdigest()


def month_key(
    scope: str,
    origin: str,
    destination: str,
    cabin: str,
    adults: int,
    month: str,
    currency: str = "USD",
) -> str:
    # US dollars keep the key they had when only they were indexed (partners' bulk fares read
    # them): a deploy keeps the index it finds. Each other currency has its own hashes: the
    # airlines price each currency themselves, so a fare in one is no answer in another.
    key = f"{PREFIX}{scope}:{origin}:{destination}:{cabin}:{adults}:{month}"
    return key if currency == "USD" else f"{key}:{currency}"


def slot(
    scope: str,
    origin: str,
    destination: str,
    departure: dt.date,
    return_date: dt.date | None,
    cabin: str,
    adults: int,
    currency: str = "USD",
) -> IndexSlot:
    day = departure.isoformat()
    key = month_key(scope, origin, destination, cabin, adults, day[:7], currency)
    return IndexSlot(key, day if return_date is None else f"{day}/{return_date.isoformat()}")


def slot_for_search(request: SearchRequest, scope: str) -> IndexSlot | None:
    """The slot of a search whose first offer is the cheapest a partner query would get, or None.

    Filters, other sorts and children/infants change which offer comes first, so only the plain
    form of a one-way or return trip is indexed, under the currency it was priced in (the
    traveler's calendar reads each; partners' bulk fares, US dollars).
    """
    passengers = request.passengers
    if (
        request.sort != "price"
        or request.airlines is not None
        or request.max_price is not None
        or request.max_connections != 1
        or passengers.children
        or passengers.infants
    ):
        return None
    out = request.slices[0]
    back = None
    if len(request.slices) == 2:
        inbound = request.slices[1]
        if (inbound.origin, inbound.destination) != (out.destination, out.origin):
            return None
        back = inbound.departure_date
    elif len(request.slices) != 1:
        return None
    return slot(
        scope, out.origin, out.destination, out.departure_date, back,
        request.cabin_class, passengers.adults, request.currency,
    )  # fmt: skip


class FareIndex(Protocol):
    """The port. `record` and `forget` never raise (a failed write only costs partners a miss,
    or a wrong fare until its stale window ends); `lookup` and `month` raise `FareIndexError`."""

    async def record(self, slot: IndexSlot, fare: CheapestFare) -> None: ...

    async def forget(self, slots: Sequence[IndexSlot], offer_id: str) -> None:
        """Drop each slot's fare if it is still `offer_id` (a newer search's fare stays)."""
        ...

    async def forget_each(self, fares: Sequence[tuple[IndexSlot, str]]) -> None:
        """`forget` of each (slot, offer id) at once: one read for all of them."""
        ...

    async def lookup(self, slots: Sequence[IndexSlot]) -> list[CheapestFare | None]: ...

    async def month(self, key: str) -> dict[str, CheapestFare]: ...


class InMemoryFareIndex:
    """The fake: dicts, fields dropped once past their `stale_until` (on `clock`)."""

    def __init__(self) -> None:
        self.hashes: dict[str, dict[str, CheapestFare]] = {}
        self.lookups: list[int] = []  # the size of each lookup, in order (tests watch chunking)

    async def record(self, slot: IndexSlot, fare: CheapestFare) -> None:
        self.hashes.setdefault(slot.key, {})[slot.field] = fare

    async def forget(self, slots: Sequence[IndexSlot], offer_id: str) -> None:
        await self.forget_each([(s, offer_id) for s in slots])

    async def forget_each(self, fares: Sequence[tuple[IndexSlot, str]]) -> None:
        for s, offer_id in fares:
            fields = self.hashes.get(s.key, {})
            fare = fields.get(s.field)
            if fare is not None and fare.offer_id == offer_id:
                del fields[s.field]

    async def lookup(self, slots: Sequence[IndexSlot]) -> list[CheapestFare | None]:
        self.lookups.append(len(slots))
        return [self.hashes.get(s.key, {}).get(s.field) for s in slots]

    async def month(self, key: str) -> dict[str, CheapestFare]:
        now = time.time()
        return {k: v for k, v in self.hashes.get(key, {}).items() if v.stale_until > now}


class ErrorLog:
    """Logs a failing dependency at most once per `every_s`, counting what it suppressed."""

    def __init__(self, what: str, every_s: float = 10.0) -> None:
        self._what = what
        self._every_s = every_s
        self._last = -float("inf")
        self._suppressed = 0

    def __call__(self, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self._last < self._every_s:
            self._suppressed += 1
            return
        logger.warning(
            "%s (%d similar errors suppressed): %s", self._what, self._suppressed, describe(exc)
        )
        self._last, self._suppressed = now, 0
