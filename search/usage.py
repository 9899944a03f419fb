"""`SearchUsage`: turns searches into usage events (kernel/usage.py) for the sink it was given.

A cached search must stay cheap: what an event says about a search (its slices, passengers) and
about a cached answer (offers, cheapest) is worked out (search/usage_events.py) once per answer
(the search fields it says are those of the answer's cache key), and a hit only hands the sink
the pre-encoded pieces of its event, its time and `took_ms`. The sink's `emit` is an append.

A hit's `at` is kept to the millisecond, formatted once per millisecond: `repr` of a float was
most of a hit's cost (~0.4 of ~0.65 µs, bench/results/2026-12-03-usage-cost-perf.md).
"""

from __future__ import annotations

import functools
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Literal, get_args

import msgspec

from cache.model import FareEntry
from connectors.model import Offer
from kernel.usage import (
    CacheOutcome,
    Channel,
    ConnectorUsage,
    HitStamp,
    NoUsage,
    SearchEvent,
    SliceUsage,
    UsageSink,
    traveler_hash,
)
from search.fare_index import CheapestFare, cheapest_of
from search.model import ConnectorReport, SearchRequest
from search.usage_events import (
    answer_template,
    connector_usage,
    entry_connectors,
    fare_event,
    lead_price,
    live_event,
    stamp_of,
)

# Signed-in travelers whose hashes are kept (a subject and its hash, ~200 bytes each).
MEMO_MAX = 10_000
# The channels with a fast path for anonymous cached hits (`SearchService.cached_query_body`).
FastChannel = Literal["get", "post"]
# A memo's hold on an answer: weak, so an answer the L1 let go is freed (see SearchUsage).
AnswerRef = weakref.ref[FareEntry]
# `took_ms` of a hit is almost always small: its digits, ready.
_TOOK = tuple(b"%d" % n for n in range(256))


class SearchUsage:
    """Usage events of searches; `enabled` is False for `NoUsage` (nothing is built at all)."""

    def __init__(
        self,
        sink: UsageSink | None = None,
        *,
        traveler_key: bytes = b"",
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.sink: UsageSink = NoUsage() if sink is None else sink
        self.enabled = not isinstance(self.sink, NoUsage)
        self._wall_clock = wall_clock
        self._traveler_key = traveler_key
        # subject → its keyed hash: a signed-in traveler searches many times with one token.
        self._travelers: dict[str, str] = {}
        # What an event says about a cached answer depends on the answer and on the search
        # fields its cache key is made of (slices, passengers, cabin: `cache_key`), so it is
        # remembered per answer, not per search object: id(answer) → (weak ref, event template),
        # and per channel id(answer) → (the same ref, the hit's stamp). The ref's callback drops
        # the answer's entries when it is freed (the L1 let it go), so these memos hold what the
        # L1 holds, whatever the number of search objects (a signed-in or bulk search builds one
        # per request); the ref is checked on lookup too, so a reused id is never mistaken.
        self._memo: dict[int, tuple[AnswerRef, SearchEvent]] = {}
        self._hits: dict[str, dict[int, tuple[AnswerRef, HitStamp]]] = {
            channel: {} for channel in get_args(Channel)
        }
        # The millisecond of the last hit and its `at` as JSON.
        self._at_ms = -1
        self._at = b""

    @property
    def memo_entries(self) -> int:
        """Entries in the memos of events (templates and every channel's stamps): at most a few
        per answer alive, none per search object."""
        return len(self._memo) + sum(len(stamps) for stamps in self._hits.values())

    def answer(
        self,
        request: SearchRequest,
        entry: FareEntry,
        *,
        channel: Channel,
        cache: CacheOutcome,
        took_ms: int,
        traveler: str | None = None,
    ) -> None:
        """A search answered from (or stored as) `entry`; `traveler`: the signed-in caller's
        subject (hashed here, never sent as it is)."""
        if not self.enabled:
            return
        if cache == "hit" and traveler is None:
            # The hot path: no Struct built, no encoding; the bytes decode as encode_usage's.
            found = self._hits[channel].get(id(entry))
            if found is None or found[0]() is not entry:
                stamp = self._stamp(request, entry, channel)
            else:
                stamp = found[1]
            ms = int(self._wall_clock() * 1000)
            if ms != self._at_ms:
                self._at_ms, self._at = ms, b"%d.%03d" % divmod(ms, 1000)
            took = _TOOK[took_ms] if 0 <= took_ms < 256 else b"%d" % took_ms
            self.sink.emit_hit(stamp, self._at, took)
            return
        template = self._template(request, entry)[1]
        # A hit or a stale answer was searched before (a stale one's refresh runs apart): no
        # airline was asked now.
        asked = cache not in ("hit", "stale")
        connectors: tuple[ConnectorUsage, ...] = ()
        if asked:  # what `loaded` kept, else the entry's own reports
            connectors = template.connectors or entry_connectors(entry)
        self.sink.emit(
            msgspec.structs.replace(
                template,
                at=self._wall_clock(),
                channel=channel,
                cache=cache,
                took_ms=took_ms,
                connectors=connectors,
                traveler_hash=self.traveler_hash(traveler),
            )
        )

    def fast_hit(
        self, request: SearchRequest, entry: FareEntry, took_ms: int, channel: FastChannel = "get"
    ) -> None:
        """`answer(request, entry, channel=channel, cache="hit", took_ms=took_ms)` of an
        anonymous search, for the cached GET's and POST's fast path (`channel` "get" or "post"):
        one dict lookup, one clock read, one append."""
        found = self._hits[channel].get(id(entry))
        stamp = (
            self._stamp(request, entry, channel)
            if found is None or found[0]() is not entry
            else found[1]
        )
        ms = int(self._wall_clock() * 1000)
        if ms != self._at_ms:
            self._at_ms, self._at = ms, b"%d.%03d" % divmod(ms, 1000)
        self.sink.emit_hit(
            stamp, self._at, _TOOK[took_ms] if 0 <= took_ms < 256 else b"%d" % took_ms
        )

    def live(
        self,
        request: SearchRequest,
        offers: Sequence[Offer],
        reports: Iterable[ConnectorReport],
        *,
        channel: Channel,
        took_ms: int,
        traveler: str | None = None,
    ) -> None:
        """A search that asked the airlines and was not cached (a streamed one)."""
        if not self.enabled:
            return
        self.sink.emit(
            live_event(
                request,
                offers,
                reports,
                at=self._wall_clock(),
                channel=channel,
                took_ms=took_ms,
                traveler_hash=self.traveler_hash(traveler),
            )
        )

    def fare_stamp(
        self,
        request: SearchRequest,
        fare: CheapestFare | None,
        *,
        channel: Channel,
        cache: CacheOutcome,
        partner: str | None,
    ) -> HitStamp:
        """The event of a partner's bulk query answered from the fare index or a live search,
        pre-encoded around its `at` and `took_ms` (0) for `emit_stamp`: a batch repeats its
        queries, and each repeat's event then costs an append (one `hits` entry per stamp)."""
        return stamp_of(
            fare_event(
                request, fare, at=self._wall_clock(), channel=channel, cache=cache, partner=partner
            )
        )

    def invalid_stamp(self, *, channel: Channel, partner: str | None) -> HitStamp:
        """The event of a partner's query answered `invalid`, pre-encoded as `fare_stamp`'s:
        `cache` "invalid", no slices (what an invalid query says is not trusted into analytics),
        the defaults' passengers and cabin, no offers."""
        event = SearchEvent(
            at=0.0, channel=channel, partner=partner, slices=(), offers=0, took_ms=0,
            cache="invalid",
        )  # fmt: skip
        return stamp_of(event)

    def emit_stamp(self, stamp: HitStamp, count: int = 1) -> None:
        """`count` events of `stamp` (`fare_stamp`), at this millisecond, `took_ms` 0."""
        self.sink.emit_hit(stamp, self._now_at(), b"0", count)

    def calendar(
        self,
        origin: str,
        destination: str,
        month_start: str,
        *,
        cabin: str,
        adults: int,
        days: int,
        partner: str | None,
        currency: str,
    ) -> None:
        """A calendar month, a partner's or (`partner` None) a traveler's date picker, read in
        `currency` (each currency's fares are a calendar of their own): `offers` counts the days
        with a cached fare."""
        if not self.enabled:
            return
        self.sink.emit(
            SearchEvent(
                at=self._wall_clock(),
                channel="calendar",
                partner=partner,
                slices=(SliceUsage(origin, destination, month_start),),
                adults=adults,
                cabin=cabin,
                offers=days,
                currency=currency,
                took_ms=0,
                cache="hit",
            )
        )

    def _now_at(self) -> bytes:
        """This millisecond as the JSON of a hit's `at`, formatted once per millisecond."""
        ms = int(self._wall_clock() * 1000)
        if ms != self._at_ms:
            self._at_ms, self._at = ms, b"%d.%03d" % divmod(ms, 1000)
        return self._at

    def traveler_hash(self, subject: str | None) -> str | None:
        """The keyed hash of a signed-in traveler's subject (kernel/usage.py); None for none."""
        if subject is None:
            return None
        found = self._travelers.get(subject)
        if found is None:
            if len(self._travelers) >= MEMO_MAX:
                self._travelers.clear()
            found = self._travelers[subject] = traveler_hash(self._traveler_key, subject)
        return found

    def _stamp(self, request: SearchRequest, entry: FareEntry, channel: Channel) -> HitStamp:
        ref, template = self._template(request, entry)
        stamp = stamp_of(
            msgspec.structs.replace(template, channel=channel, cache="hit", connectors=())
        )
        self._hits[channel][id(entry)] = (ref, stamp)
        return stamp

    def loaded(
        self,
        request: SearchRequest,
        entry: FareEntry,
        offers: Sequence[Offer],
        reports: Sequence[ConnectorReport],
    ) -> None:
        """`entry` was just encoded from `offers` (ranked) and `reports`: its event's template is
        made from them, so that `answer` does not decode the entry again to find its first offer
        and its airlines (a cold search's whole answer, ~10 kB of JSON, for three fields;
        bench/results/2026-12-05-cold-cpu-cut.md). The same values: the entry is their encoding.
        """
        if not self.enabled:
            return
        amount, currency = lead_price(offers)
        self._remember(request, entry, amount, currency, connector_usage(reports))

    def _template(self, request: SearchRequest, entry: FareEntry) -> tuple[AnswerRef, SearchEvent]:
        found = self._memo.get(id(entry))
        if found is not None and found[0]() is entry:
            return found
        fare = cheapest_of(entry)
        if fare is None:
            return self._remember(request, entry, None, None, ())
        return self._remember(request, entry, str(fare.amount), fare.currency, ())

    def _remember(
        self,
        request: SearchRequest,
        entry: FareEntry,
        amount: str | None,
        currency: str | None,
        connectors: tuple[ConnectorUsage, ...],
    ) -> tuple[AnswerRef, SearchEvent]:
        """The template of `entry`'s events (`connectors`: its airlines, when known without
        decoding; hits and stale answers report none), kept while the entry lives."""
        key = id(entry)
        event = answer_template(
            request,
            entry,
            at=self._wall_clock(),
            amount=amount,
            currency=currency,
            connectors=connectors,
        )
        found = self._memo[key] = (
            weakref.ref(entry, functools.partial(_forget, self._memo, self._hits, key)),
            event,
        )
        return found


def _forget(
    memo: dict[int, tuple[AnswerRef, SearchEvent]],
    hits: dict[str, dict[int, tuple[AnswerRef, HitStamp]]],
    key: int,
    ref: AnswerRef,
) -> None:
    """The weak ref `ref` to the answer at id `key` died: drop what the memos say about it (only
    its own entries: a later answer at that id has another ref)."""
    found = memo.get(key)
    if found is not None and found[0] is ref:
        del memo[key]
    for stamps in hits.values():
        stamp = stamps.get(key)
        if stamp is not None and stamp[0] is ref:
            del stamps[key]
