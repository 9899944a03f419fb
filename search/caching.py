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
from cache.read_through import Loaded
from connectors.model import Offer
from search.model import CacheState, ConnectorReport, SearchRequest

_encoder = msgspec.json.Encoder()
QUERY_KEYS_MAX = 10_000
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
    when full (a client spraying distinct queries costs a re-validation, nothing more).
    """

    __slots__ = ("_keys", "max_entries")

    def __init__(self, max_entries: int = QUERY_KEYS_MAX) -> None:
        self.max_entries = max_entries
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
        if len(self._keys) >= self.max_entries:
            self._keys.clear()
        self._keys[query] = (key, day, request)


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
) -> Loaded:
    """The encoded answer, and whether it may be stored: only when every connector answered."""
    complete = all(r.status == "ok" for r in reports)
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    days_ahead = (request.slices[0].departure_date - today).days
    fresh_until, stale_until = policy.window(days_ahead, now, empty=not offers)
    entry = FareEntry(
        offers=_encoder.encode(tuple(offers)),
        connectors=_encoder.encode(tuple(reports)),
        partial=not complete,
        offer_count=len(offers),
        cached_at=now,
        fresh_until=fresh_until,
        stale_until=stale_until,
    )
    return entry, complete


_STATES: dict[CacheState, bytes] = {"hit": b"hit", "miss": b"miss", "stale": b"stale"}


def response_body(
    search_id: str,
    entry: FareEntry,
    *,
    took_ms: int,
    cache: CacheState,
    cache_unavailable: bool = False,
) -> bytes:
    """The JSON of a `SearchResponse`, built around the entry's stored bytes."""
    return b"".join(
        (
            b'{"search_id":"',
            search_id.encode(),
            b'","offers":',
            entry.offers,
            b',"meta":{"took_ms":',
            str(took_ms).encode(),
            b',"cache":"',
            _STATES[cache],
            b'","cache_unavailable":true,"partial":' if cache_unavailable else b'","partial":',
            b"true" if entry.partial else b"false",
            b',"connectors":',
            entry.connectors,
            b"}}",
        )
    )
