"""`SearchService`: the search use cases (search, streamed search, re-pricing, connector health)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Coroutine, Sequence
from contextlib import aclosing
from typing import Any

import msgspec

from cache.model import FareEntry
from cache.policy import TtlPolicy
from cache.read_through import CacheState, Loaded, ReadThroughCache, SelfStored
from connectors import errors, offer_ids
from connectors.model import Offer, PricedOffer
from connectors.resilience import ConnectorStatus, ResilientConnector
from kernel.errors import Conflict, Gone, NotFound, ServiceUnavailable
from kernel.usage import CacheOutcome, Channel, RepriceEvent
from search.answer_writes import AnswerWrites
from search.caching import (
    QueryKeys,
    cache_key,
    query_keys_bytes,
    response_body,
    to_entry,
)
from search.engine import Answer, FanOut
from search.fare_index import (
    CheapestFare,
    FareIndex,
    IndexSlot,
    cheapest_of,
    scope_of,
    slot_for_search,
)
from search.ids import new_search_id, new_search_id_bytes
from search.model import (
    ROUTE_NOT_SERVED,
    ConnectorLine,
    ConnectorReport,
    DoneLine,
    SearchMeta,
    SearchRequest,
    SearchResponse,
)
from search.ranking import rank, rank_counted
from search.stale_fares import PriceCheck, StaleFares
from search.usage import FastChannel, SearchUsage

# Encodes the NDJSON lines of streamed searches (responses are encoded once, in the views).
_encoder = msgspec.json.Encoder()

__all__ = ["SearchService", "new_search_id"]


class SearchService:
    """Searches the connectors and re-prices offers; raises `kernel.errors` for the views.

    Every search runs under one deadline: the request's `deadline_ms`, else `default_deadline_ms`,
    counted on `clock` (monotonic seconds) from the moment the service receives it. Re-pricing an
    offer gets `default_deadline_ms` too.
    """

    def __init__(
        self,
        connectors: Sequence[ResilientConnector],
        *,
        default_deadline_ms: int,
        clock: Callable[[], float] = time.monotonic,
        cancel_grace_s: float = 0.005,
        fares: ReadThroughCache | None = None,
        ttl: TtlPolicy | None = None,
        cache_timeout_s: float = 0.05,
        wall_clock: Callable[[], float] = time.time,
        cache_scope: str = "",
        index: FareIndex | None = None,
        stale: StaleFares | None = None,
        usage: SearchUsage | None = None,
        writes: AnswerWrites | None = None,
    ) -> None:
        self._connectors = {c.name: c for c in connectors}
        self._order = {name: i for i, name in enumerate(self._connectors)}
        self._default_deadline_s = default_deadline_ms / 1000
        self._clock = clock
        self._fan_out = FanOut(connectors, clock=clock, cancel_grace_s=cancel_grace_s)
        self._fares = fares
        self._ttl = ttl or TtlPolicy()
        self._cache_timeout_s = cache_timeout_s
        self._wall_clock = wall_clock
        # The answer depends on which airlines are asked, so their names scope the cache keys;
        # `cache_scope` adds what the names do not say (e.g. the endpoints, from the settings).
        self._cache_scope = "\n".join((cache_scope, *self._connectors)).encode() + b"\n\n"
        self._index = index
        self._index_scope = scope_of(self._cache_scope)
        self._query_keys = QueryKeys(max_bytes=query_keys_bytes(fares))
        self._stale = stale
        # The after-answer writes in one round trip (one Redis, not a cluster): the entry's,
        # the tags' and the index's, which `fares`, `stale` and `index` would send one by one.
        self._writes = writes
        self.usage = SearchUsage() if usage is None else usage

    @property
    def fare_index(self) -> FareIndex | None:
        """The cheapest-fare index complete answers are recorded in (bulk fares read it)."""
        return self._index

    @property
    def stale_fares(self) -> StaleFares | None:
        """What corrects the fare cache after a re-pricing (order creation reports to it too)."""
        return self._stale

    @property
    def index_scope(self) -> str:
        return self._index_scope

    @property
    def fan_out(self) -> FanOut:
        return self._fan_out

    async def search(self, request: SearchRequest) -> SearchResponse:
        """Ranked offers of the connectors that answered within the deadline, and their reports.

        Always live: the cached form of a search is `search_body`.
        """
        start = self._clock()
        answers = await self._answers(request, start)
        offers = rank((o for a in answers for o in a.offers), request)
        return SearchResponse(
            search_id=new_search_id(),
            offers=tuple(offers),
            meta=self._meta(answers, start),
        )

    async def search_body(
        self,
        request: SearchRequest,
        *,
        raw_query: str | bytes | None = None,
        day: int = 0,
        channel: Channel = "post",
        traveler: str | None = None,
    ) -> tuple[bytes, CacheState]:
        """The JSON of a `SearchResponse`, from the fare cache when it holds the answer.

        A hit is served from the stored bytes; a miss searches (once for concurrent identical
        searches) and stores complete answers; `request.cache=False` forces a live search. Cache
        calls get a small share of the deadline, so a slow Redis costs a miss, never the deadline.
        `raw_query`: the GET query string (or the POST body) `request` was validated from on UTC
        `day`, remembered for `cached_query_body`. `traveler`: the signed-in caller's subject, for
        usage events.
        """
        start = self._clock()
        key = cache_key(request, self._cache_scope)
        entry, state = await self._fetch(request, start, key)
        if raw_query is not None and request.cache and self._fares is not None:
            self._query_keys.put(raw_query, key, day, request)
        took_ms = round((self._clock() - start) * 1000)
        usage = self.usage
        if usage.enabled:
            outcome: CacheOutcome = state if request.cache or state != "miss" else "live"
            usage.answer(
                request, entry, channel=channel, cache=outcome, took_ms=took_ms, traveler=traveler
            )
        # Redis down: the answer is live and could not be shared with other processes; say so.
        unavailable = (
            state == "miss" and self._fares is not None and not self._fares.store.shared_available
        )
        body = response_body(
            new_search_id_bytes(),
            entry,
            took_ms=took_ms,
            cache=state,
            cache_unavailable=unavailable,
        )
        return body, state

    def cached_query_body(
        self, raw_query: str | bytes, day: int, channel: FastChannel = "get"
    ) -> bytes | None:
        """What `search_body` answers a GET query string (or a POST body) validated before on
        UTC `day`, if that is a fresh L1 hit; else None (take the full path, which also handles
        stale entries).

        The hot path of a cached search: no validation, key building, hashing or await.
        """
        if self._fares is None:
            return None
        found = self._query_keys.find(raw_query, day)
        if found is None:
            return None
        key, request = found
        start = self._clock()
        entry = self._fares.store.peek_fresh(key)
        if entry is None:
            return None
        took_ms = round((self._clock() - start) * 1000)
        if request is not None and self.usage.enabled:
            self.usage.fast_hit(request, entry, took_ms, channel)
        return response_body(new_search_id_bytes(), entry, took_ms=took_ms, cache="hit")

    async def cheapest(self, request: SearchRequest) -> tuple[CheapestFare | None, FareEntry]:
        """The cheapest offer of the answer `search_body` would give (same cache, same
        single-flight), and the entry; None when the answer holds no offer."""
        entry, _ = await self._fetch(request, self._clock())
        return cheapest_of(entry), entry

    async def _fetch(
        self, request: SearchRequest, start: float, key: str | None = None
    ) -> tuple[FareEntry, CacheState]:
        if self._fares is None:
            return (await self._load(request, start))[0], "miss"
        budget = (self._deadline(request, start) - start) / 10
        key = key or cache_key(request, self._cache_scope)
        return await self._fares.fetch(
            key,
            lambda background: self._load(request, self._clock() if background else start, key),
            timeout=min(self._cache_timeout_s, budget),
            use_cache=request.cache,
            # Another worker's search is waited for at most half of what is left, keeping the
            # rest for our own search should it fail or hang.
            wait=max(0.0, (self._deadline(request, start) - self._clock()) / 2),
        )

    async def _load(self, request: SearchRequest, start: float, key: str | None = None) -> Loaded:
        began = self._wall_clock()
        answers = await self._answers(request, start)
        offers, found = rank_counted((o for a in answers for o in a.offers), request)
        reports = self._reports(answers)
        loaded = to_entry(
            offers, reports, request=request, policy=self._ttl, now=self._wall_clock(), found=found
        )
        self.usage.loaded(request, loaded[0], offers, reports)
        if not loaded[1] or not offers:
            return loaded
        entry = loaded[0]
        slot = None if self._index is None else slot_for_search(request, self._index_scope)
        fare = None if slot is None else CheapestFare.of(offers[0], entry)
        if self._fares is None or not self._fares.store.shared_confirmed:
            # Redis not known to answer (start-up, or it failed last): wait for the tags, so
            # that the answer's `cache_unavailable` says what this search found.
            if not await self._tagged(key, entry, offers, slot, began):
                return entry, False  # evicted while we searched: served, not stored
            if self._index is not None and slot is not None and fare is not None:
                record = self._index.record(slot, fare)
                if self._fares is None:
                    await record
                else:
                    self._fares.behind(record)  # bulk readers are not waiting for this search
            return entry, True
        # Answered before its tags: L1 at once; the index, the entry's SET, then the tags after
        # (`ReadThroughCache`). A re-pricing that beats the tags marks the offer, the tags then
        # refuse the answer (cache/tags.py), and it is evicted and leaves the index again.
        # With `writes`: the SET, the tags and the index in that order, in one round trip.
        if self._writes is not None and key is not None:
            ids = [o.id for o in offers]
            return entry, SelfStored(self._writes.write(key, entry, ids, slot, fare, began=began))
        recorded = None
        if self._index is not None and slot is not None and fare is not None:
            recorded = self._fares.behind(self._index.record(slot, fare))
        return entry, self._kept(
            self._tagged(key, entry, offers, slot, began), recorded, slot, fare
        )

    async def _kept(
        self,
        tagging: Coroutine[Any, Any, bool],
        recorded: asyncio.Future[Any] | None,
        slot: IndexSlot | None,
        fare: CheapestFare | None,
    ) -> bool:
        """Whether a served answer may stay cached; if not, its `recorded` fare leaves the index."""
        if await tagging:
            return True
        if recorded is not None and self._index is not None and slot is not None and fare:
            await recorded
            await self._index.forget([slot], fare.offer_id)
        return False

    async def _tagged(
        self,
        key: str | None,
        entry: FareEntry,
        offers: Sequence[Offer],
        slot: IndexSlot | None,
        began: float,
    ) -> bool:
        """Tag the answer with its offers; False if its key or an offer was evicted since."""
        if self._stale is None or key is None:
            return True
        ids = [o.id for o in offers]
        return await self._stale.remember(key, entry, ids, slot, began=began)

    async def _answers(self, request: SearchRequest, start: float) -> list[Answer]:
        answers = []
        deadline = self._deadline(request, start)
        async with aclosing(self._fan_out.answers(request.flight_query(), deadline)) as stream:
            async for answer in stream:
                answers.append(answer)
        return answers

    async def stream(
        self, request: SearchRequest, *, traveler: str | None = None
    ) -> AsyncGenerator[bytes, None]:
        """NDJSON lines: one per connector as it answers (its own offers, ranked), then `done`.

        Raises `ServiceUnavailable` before the first line when no serving connector could be asked.
        """
        start = self._clock()
        answers: list[Answer] = []
        deadline = self._deadline(request, start)
        async with aclosing(self._fan_out.answers(request.flight_query(), deadline)) as stream:
            async for answer in stream:
                answers.append(answer)
                line = ConnectorLine(
                    connector=answer.connector,
                    status=answer.status,
                    offers=tuple(rank(answer.offers, request)),
                )
                yield _encoder.encode(line) + b"\n"
        meta = self._meta(answers, start)
        done = DoneLine(search_id=new_search_id(), meta=meta)
        if self.usage.enabled:
            offers = [o for a in answers for o in a.offers]
            self.usage.live(
                request,
                offers,
                meta.connectors,
                channel="stream",
                took_ms=meta.took_ms,
                traveler=traveler,
            )
        yield _encoder.encode(done) + b"\n"

    async def get_offer(self, offer_id: str) -> PricedOffer:
        """The offer re-priced with its airline.

        `NotFound` for an id we did not issue or the airline does not know, `Gone` when it expired
        or sold out, `Conflict` if the airline reports a price change as an error,
        `ServiceUnavailable` when the airline cannot answer now. A changed price or no seats
        evicts the cached answers holding the offer (`StaleFares`).
        """
        name, connector, supplier_id = offer_ids.issuer(offer_id, self._connectors)
        try:
            priced = await connector.price(supplier_id, timeout=self._default_deadline_s)
        except (errors.OfferNotFound, errors.InvalidRequest) as exc:
            raise NotFound(f"offer {offer_id[:80]!r} is unknown to {name}") from exc
        except (errors.OfferExpired, errors.SoldOut) as exc:
            await self._checked(offer_id, name, "gone")
            raise Gone(f"offer {offer_id[:80]!r} is no longer available: {exc}") from exc
        except errors.PriceChanged as exc:
            await self._checked(
                offer_id, name, "changed", amount=str(exc.new_amount), currency=exc.currency
            )
            raise Conflict(
                "the offer's price changed",
                total_amount=str(exc.new_amount),
                total_currency=exc.currency,
            ) from exc
        except errors.ConnectorError as exc:
            detail = f"{name} cannot price offers right now ({exc.status})"
            raise ServiceUnavailable(detail) from exc
        await self._checked(
            offer_id,
            name,
            "changed" if priced.price_changed else "held",
            amount=str(priced.total_amount),
            currency=priced.total_currency,
        )
        return priced

    async def _checked(
        self,
        offer_id: str,
        connector: str,
        outcome: PriceCheck,
        *,
        amount: str | None = None,
        currency: str | None = None,
    ) -> None:
        cached = False
        if self._stale is not None:
            cached = await self._stale.checked(offer_id, outcome)
        if self.usage.enabled:
            self.usage.sink.emit(
                RepriceEvent(
                    at=self._wall_clock(),
                    stage="offer",
                    connector=connector,
                    outcome=outcome,
                    source="cache" if cached else "live",
                    amount=amount,
                    currency=currency,
                )
            )

    def serves(self, request: SearchRequest) -> bool:
        """Whether any connector serves the search's route (cheap, no I/O): if none does, no
        search would find offers, on any day."""
        query = request.flight_query()
        return any(c.serves(query) for c in self._fan_out.connectors)

    def connector_statuses(self) -> list[ConnectorStatus]:
        """Each connector's circuit state, error rate, latency and load, in configuration order."""
        return [c.status() for c in self._connectors.values()]

    async def close(self) -> None:
        """Stop what searches left running: cache refreshes, then connector calls that ignored
        cancellation."""
        if self._fares is not None:
            await self._fares.close()
        await self._fan_out.close()

    def _deadline(self, request: SearchRequest, start: float) -> float:
        if request.deadline_ms is None:
            return start + self._default_deadline_s
        return start + request.deadline_ms / 1000

    def _reports(self, answers: list[Answer]) -> tuple[ConnectorReport, ...]:
        # Configuration order, not arrival order: the same search reads the same way every time.
        ordered = sorted(answers, key=lambda a: self._order[a.connector])
        return tuple(a.report() for a in ordered)

    def _meta(self, answers: list[Answer], start: float) -> SearchMeta:
        reports = self._reports(answers)
        return SearchMeta(
            took_ms=round((self._clock() - start) * 1000),
            cache="miss",
            partial=any(a.status != "ok" for a in answers),
            connectors=reports,
            # The fan-out reports every connector that serves the route: none, none serves it.
            warnings=() if answers else (ROUTE_NOT_SERVED,),
        )
