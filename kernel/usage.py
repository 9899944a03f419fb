"""Usage events: what the search side tells analytics (analytics/EVENTS.md documents each field).

The vocabulary lives here, in the kernel, because producers (search/, the composition root) and
the consumer (analytics/) may not import each other. Events are frozen Structs tagged by `type`
and carry a `version`: a consumer reads the versions it knows and skips the others.

No personal data: a traveler appears only as `traveler_hash` (a keyed hash, see `traveler_hash`),
never a name, email, phone number, document number, token or key.

Producers hold a `UsageSink`: `emit` appends to an in-process buffer and returns at once, so a
search never waits on (or fails with) the stream behind it. One stream entry holds one event,
except a `HitsEvent`, which holds the cached hits of one search a batch gathered (`expand`).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal, Protocol

import msgspec

# 2: `traveler_hash` is an HMAC-SHA256 (64 hex digits) and is filled for signed-in travelers;
# version 1 events never carried one. Consumers read both.
VERSION = 2

Channel = Literal["get", "post", "stream", "bulk", "calendar"]
# `error`: a partner's bulk query whose line was an `error` (the fare index did not answer, or
# its live search failed): neither served from the cache nor a miss that was answered.
# `invalid`: a partner's bulk query whose line was `invalid`: sent, counted, never searched (its
# event has no slices: nothing the query said is kept).
CacheOutcome = Literal["hit", "miss", "stale", "live", "error", "invalid"]
RepriceStage = Literal["offer", "order"]
RepriceOutcome = Literal["held", "changed", "gone"]
BreakerState = Literal["closed", "half_open", "open"]


class SliceUsage(msgspec.Struct, frozen=True, array_like=True):
    """One slice of a search: `[origin, destination, departure_date]`."""

    origin: str
    destination: str
    departure_date: str  # YYYY-MM-DD


class ConnectorUsage(msgspec.Struct, frozen=True, array_like=True):
    """How one airline did in a live search: `[name, status, offers, latency_ms]`."""

    name: str
    status: str
    offers: int
    latency_ms: int


class SearchEvent(msgspec.Struct, frozen=True, kw_only=True, tag="search", tag_field="type"):
    version: int = VERSION
    at: float  # unix seconds, UTC
    channel: Channel
    partner: str | None = None  # the partner's name on bulk/calendar
    slices: tuple[SliceUsage, ...]
    adults: int = 1
    children: int = 0
    infants: int = 0
    cabin: str = "economy"
    offers: int
    cheapest_amount: str | None = None  # a decimal string, in `currency`
    currency: str | None = None
    took_ms: int
    cache: CacheOutcome
    # Empty on a cache hit (no airline was asked): airline health counts live searches only.
    connectors: tuple[ConnectorUsage, ...] = ()
    traveler_hash: str | None = None


class RepriceEvent(msgspec.Struct, frozen=True, kw_only=True, tag="reprice", tag_field="type"):
    version: int = VERSION
    at: float
    stage: RepriceStage  # `GET /v1/offers/{id}`, or the re-pricing of `POST /v1/orders`
    connector: str  # the offer's airline
    outcome: RepriceOutcome
    source: Literal["cache", "live"]  # whether a cached answer held the offer
    amount: str | None = None  # the re-priced total (decimal string), when known
    change: str | None = None  # the new total minus the quoted one, when known
    currency: str | None = None
    traveler_hash: str | None = None


class BreakerEvent(msgspec.Struct, frozen=True, kw_only=True, tag="breaker", tag_field="type"):
    version: int = VERSION
    at: float
    connector: str
    state: BreakerState


class HitsEvent(msgspec.Struct, frozen=True, kw_only=True, tag="hits", tag_field="type"):
    """Cached hits of one search and answer, gathered by one publishing batch: one `search`
    event per element of `at`, each as `search` with its `at` and `took_ms` (same index) in.
    Partners' repeats of one bulk query and answer travel the same way (`SearchUsage.fare_stamp`).

    A hit's event differs from the one before only in those two numbers; sending each as its own
    stream entry cost Redis ~3 µs and the API ~0.9 µs per hit, a few per cent of a cached
    search's ~45 µs on the cores they share (bench/results/2026-12-03-usage-hits-coalesced.md).
    """

    version: int = VERSION
    search: SearchEvent  # `at` and `took_ms` 0: the values are the arrays'
    at: tuple[float, ...]
    took_ms: tuple[int, ...]


UsageEvent = SearchEvent | RepriceEvent | BreakerEvent | HitsEvent
# A cached hit's event, pre-encoded around its `at` and `took_ms`: the JSON before `at`'s value,
# between it and `took_ms`'s value, and after (see `stamped`).
HitStamp = tuple[bytes, bytes, bytes]

encode_usage = msgspec.json.Encoder().encode
_decoder = msgspec.json.Decoder(UsageEvent)


def decode_usage(data: bytes) -> UsageEvent:
    """Raises `msgspec.DecodeError` (a `ValueError`) for bytes that are no known event."""
    return _decoder.decode(data)


def expand(event: UsageEvent) -> tuple[SearchEvent | RepriceEvent | BreakerEvent, ...]:
    """The events one stream entry carries: a `HitsEvent`'s searches, else the event alone."""
    if not isinstance(event, HitsEvent):
        return (event,)
    search = event.search
    return tuple(
        msgspec.structs.replace(search, at=at, took_ms=took_ms)
        for at, took_ms in zip(event.at, event.took_ms, strict=True)
    )


def hits_json(stamp: HitStamp, at: list[bytes], took_ms: list[bytes]) -> bytes:
    """The `HitsEvent` of hits stamped from `stamp` (JSON numbers, one per hit), encoded as
    `encode_usage` would decode it, without building a Struct per hit."""
    return b"".join((
        b'{"type":"hits","version":%d,"search":' % VERSION,
        stamped(stamp, b"0", b"0"),
        b',"at":[',
        b",".join(at),
        b'],"took_ms":[',
        b",".join(took_ms),
        b"]}",
    ))  # fmt: skip


def stamped(stamp: HitStamp, at: bytes, took_ms: bytes) -> bytes:
    """The event `stamp` is with its `at` and `took_ms` (JSON numbers) filled in."""
    head, middle, tail = stamp
    return b"".join((head, at, middle, took_ms, tail))


def traveler_hash(secret: bytes, subject: str) -> str:
    """HMAC-SHA256 of a traveler's subject (the token's `sub`), as 64 hex digits: equal for the
    same traveler (conversion can be counted), not reversible, and not guessable from a list of
    subjects without the secret (a plain hash would be: subjects are often sequential ids)."""
    return hmac.new(secret, subject.encode(), hashlib.sha256).hexdigest()


class UsageSink(Protocol):
    """Where producers put usage events; `emit` never blocks, awaits or raises.

    `emit_json` takes an event already encoded as `encode_usage` would; `emit_hit` one as
    `stamped(stamp, at, took_ms)` would encode it, left unjoined (the cached search's hot path:
    a sink may send the stamp once and only `at` and `took_ms` per event), `count` times (a
    partner's repeats of one bulk query, recorded per chunk of lines).
    """

    def emit(self, event: UsageEvent) -> None: ...

    def emit_json(self, data: bytes) -> None: ...

    def emit_hit(self, stamp: HitStamp, at: bytes, took_ms: bytes, count: int = 1) -> None: ...


class NoUsage:
    """The sink when usage events are off: drops everything, costs one call."""

    def emit(self, event: UsageEvent) -> None:
        pass

    def emit_json(self, data: bytes) -> None:
        pass

    def emit_hit(self, stamp: HitStamp, at: bytes, took_ms: bytes, count: int = 1) -> None:
        pass
