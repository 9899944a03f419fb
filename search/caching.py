"""Search answers as fare-cache entries: the cache key of a search, the entry, the response body.

What is cached is the encoded answer, so a hit is served without decoding or re-encoding offers:
the entry holds the ranked offers and the connector reports as JSON arrays, and each response is
concatenated around them with its own `search_id`, `took_ms` and `meta.cache` (the JSON is
exactly what encoding a `SearchResponse` gives; a test holds it to that).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec

from cache.keys import fare_key
from cache.model import FareEntry
from cache.policy import TtlPolicy
from cache.read_through import Loaded, ReadThroughCache
from connectors.model import Offer
from search.model import ROUTE_NOT_SERVED, CacheState, ConnectorReport, SearchRequest

_encoder = msgspec.json.Encoder()
QUERY_KEYS_MAX = 10_000
# What a remembered query costs beyond its own length: its key, the tuple, the dict slot and the
# validated `SearchRequest` it keeps for usage events (tracemalloc on CPython 3.11 over 12,960
# distinct searches of the bench mix, GET and POST: ~891 bytes each; rounded up).
QUERY_ENTRY_OVERHEAD_BYTES = 1_000
# The fast path gains only from queries whose answer is still in the L1, so the table is bounded
# by the L1's own bound: 1/16 of its bytes. The bench mix's answers are ~28 kB and its queries
# ~1 kB here: a 64 MiB L1 holds ~2,400 answers and the table ~4,000 queries (4 MiB); an 8 MiB L1
# ~300 answers and ~500 queries (512 KiB). At the old 10,000 entries (~10 MB) the table
# outweighed a small L1 and, filling at ~125 distinct searches a minute, grew for over an hour.
QUERY_KEYS_L1_SHARE = 16
# A POST body is remembered only up to this size: a valid search is a few hundred bytes, and
# whitespace could pad one to the body limit (10,000 of those would be a lot of memory).
BODY_KEY_MAX_BYTES = 2048


class QueryKeys:
    """Raw `GET /v1/search` query strings (`str`) and `POST /v1/search` JSON bodies (`bytes`,
    at most `BODY_KEY_MAX_BYTES`) already validated → their fare-cache key.

    The fast path of a repeated search: what the client sent is looked up as-is, so a hit
    skips parsing, validation, canonical encoding and hashing (a query string and a body never
    compare equal, so both live in one table). Only valid searches that may be
    answered from the cache are remembered (an invalid query raises before, `cache=false` is not
    put), and each entry holds for the UTC day it was validated on (`day`, days since the epoch):
    validation judges dates against that day. Equivalent spellings of one search are separate
    entries here but map to the same key, so they share one cached answer. Bounded: cleared
    when full (a client spraying distinct queries costs a re-validation, nothing more), at
    `max_entries` or at `max_bytes` of memory (0: the count only; see `SearchService`).
    """

    __slots__ = ("_keys", "bytes", "max_bytes", "max_entries")

    def __init__(self, max_entries: int = QUERY_KEYS_MAX, *, max_bytes: int = 0) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._keys: dict[str | bytes, tuple[str, int, SearchRequest | None]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, query: str | bytes, day: int) -> str | None:
        found = self.find(query, day)
        return None if found is None else found[0]

    def find(self, query: str | bytes, day: int) -> tuple[str, SearchRequest | None] | None:
        """The key of `query` and the search it was validated into (for usage events)."""
        found = self._keys.get(query)
        if found is None or found[1] != day:
            return None
        return found[0], found[2]

    def put(
        self, query: str | bytes, key: str, day: int, request: SearchRequest | None = None
    ) -> None:
        if type(query) is bytes and len(query) > BODY_KEY_MAX_BYTES:
            return
        keys = self._keys
        if query not in keys:
            cost = len(query) + QUERY_ENTRY_OVERHEAD_BYTES
            if len(keys) >= self.max_entries or (
                self.max_bytes and self.bytes + cost > self.max_bytes
            ):
                keys.clear()
                self.bytes = 0
            self.bytes += cost
        keys[query] = (key, day, request)


def query_keys_bytes(fares: ReadThroughCache | None) -> int:
    """The byte bound of the `QueryKeys` of a service caching in `fares` (0: none)."""
    return 0 if fares is None else fares.store.l1.max_bytes // QUERY_KEYS_L1_SHARE


def cache_key(request: SearchRequest, scope: bytes = b"") -> str:
    """Equal for searches with the same answer: validation already upper-cased codes, filled in
    defaults and sorted `airlines`; the deadline and the cache option do not change the answer.

    `scope` names what else does: the airlines configured (see `SearchService`), so processes
    with another connector set (a deploy adding an airline, a test's own sim) share no entries.
    """
    canonical = msgspec.structs.replace(
        request,
        deadline_ms=None,
        cache=True,
        # 500 and 500.00 are the same filter
        max_price=None if request.max_price is None else request.max_price.normalize(),
    )
    return fare_key(scope + _encoder.encode(canonical))


def to_entry(
    offers: Sequence[Offer],
    reports: Sequence[ConnectorReport],
    *,
    request: SearchRequest,
    policy: TtlPolicy,
    now: float,
    found: int | None = None,
) -> Loaded:
    """The encoded answer, and whether it may be stored: only when every connector answered.

    `found`: how many offers there were before the request's `limit` (default: `offers`)."""
    complete = all(r.status == "ok" for r in reports)
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    days_ahead = (request.slices[0].departure_date - today).days
    fresh_until, stale_until = policy.window(days_ahead, now, empty=not offers)
    if offers:
        # An answer lives no longer than its offers: past the first one's `expires_at` it would
        # show a fare whose re-pricing and booking answer 410. The stale window far out (4 x
        # 15 min) outlasts the airlines' quotes (30 min at the sim's airlines).
        expiry = min(o.expires_at for o in offers).timestamp()
        stale_until = min(stale_until, expiry)
        fresh_until = min(fresh_until, stale_until)
    entry = FareEntry(
        offers=_encoder.encode(tuple(offers)),
        connectors=_encoder.encode(tuple(reports)),
        partial=not complete,
        offer_count=len(offers),
        cached_at=now,
        fresh_until=fresh_until,
        stale_until=stale_until,
        found=len(offers) if found is None else found,
    )
    return entry, complete


# What `response_body` puts between `took_ms` and the connectors, by (cache state, Redis
# unavailable, partial): built once, as are the digits of the small `took_ms` a hit almost always
# has (a cached search's hot path; bench/results/2026-12-05-cached-view.md).
_META_TAIL: dict[tuple[CacheState, bool, bool], bytes] = {
    (state, unavailable, partial): b',"cache":"%s"%s,"partial":%s,"connectors":'
    % (
        state.encode(),
        b',"cache_unavailable":true' if unavailable else b"",
        b"true" if partial else b"false",
    )
    for state in ("hit", "miss", "stale")
    for unavailable in (False, True)
    for partial in (False, True)
}
_TOOK_DIGITS = tuple(b"%d" % n for n in range(256))
# No connector reported: none serves the route (search/engine.py), so the answer says so. Read
# from the entry rather than stored in it, so entries cached before the warning say it too.
_NO_CONNECTORS = b"[]"
_NOT_SERVED_TAIL = b',"warnings":' + _encoder.encode((ROUTE_NOT_SERVED,)) + b"}}"


def names_no_connector(entry: FareEntry) -> bool:
    """Whether the answer is of a route no connector serves (none was asked)."""
    return entry.connectors == _NO_CONNECTORS


def response_body(
    search_id: bytes,
    entry: FareEntry,
    *,
    took_ms: int,
    cache: CacheState,
    cache_unavailable: bool = False,
) -> bytes:
    """The JSON of a `SearchResponse`, built around the entry's stored bytes. `search_id`: as
    `search.ids.new_search_id_bytes` mints it (ASCII, nothing to escape)."""
    return b"".join(
        (
            b'{"search_id":"',
            search_id,
            b'","offers":',
            entry.offers,
            b',"meta":{"took_ms":',
            _TOOK_DIGITS[took_ms] if 0 <= took_ms < 256 else b"%d" % took_ms,
            _META_TAIL[cache, cache_unavailable, entry.partial],
            entry.connectors,
            _NOT_SERVED_TAIL if names_no_connector(entry) else b"}}",
        )
    )
