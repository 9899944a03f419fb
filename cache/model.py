"""What the fare cache stores: one search answer, already encoded, with its freshness window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

import msgspec
from redis.exceptions import RedisClusterException, RedisError

Freshness = Literal["hit", "stale"]


class FareEntry(msgspec.Struct, frozen=True, array_like=True, weakref=True):
    """An encoded answer: `offers` (a JSON array) and `connectors` (the reports, a JSON array).

    Times are wall-clock unix seconds, so every process (and Redis) agrees on them: the entry is
    fresh until `fresh_until`, may be served stale (while a refresh runs) until `stale_until`.
    Weakly referenceable: what is derived from an entry (search/usage.py) must not keep it
    alive once the L1 has let it go, or the L1's byte bound would not bound memory.
    `offer_count` is how many offers the answer holds, `found` how many the search found before
    the request's `limit` cut them (what the fare index tells partners); None in an entry
    stored before it was kept, whose count is then `offer_count`.
    """

    offers: bytes
    connectors: bytes
    partial: bool  # stored entries are complete; a partial one is only ever served as a miss
    offer_count: int
    cached_at: float
    fresh_until: float
    stale_until: float
    found: int | None = None

    @property
    def offers_found(self) -> int:
        return self.offer_count if self.found is None else self.found

    def freshness(self, now: float) -> Freshness | None:
        """`hit` while fresh, `stale` within the stale window, None once expired."""
        if now < self.fresh_until:
            return "hit"
        if now < self.stale_until:
            return "stale"
        return None


class CacheError(Exception):
    """A cache layer could not answer (down, slow, garbage); callers treat it as a miss."""


REDIS_FAILURES = (RedisError, RedisClusterException, OSError, TimeoutError)
"""What a Redis call under `asyncio.timeout` raises when Redis did not answer it, for the
adapters to translate in one `except` (into `CacheError`, or their own error): `RedisError`,
redis-py's error replies and its own connection and timeout errors; `RedisClusterException`,
a Redis Cluster none of whose nodes could be reached (down, or a certificate that fails
verification), which is not a `RedisError`; `OSError`, a socket error
that reaches us unwrapped; `TimeoutError`, the caller's bound passing (`asyncio.timeout` raises
the builtin one, an `OSError` itself: named so that no reader wonders whether a slow Redis is
caught)."""


class FareCache(Protocol):
    """The port: entries by key, each expiring at its `stale_until`.

    `timeout` bounds the call in seconds (a remote layer raises `CacheError` past it).
    """

    async def get(self, key: str, *, timeout: float) -> FareEntry | None: ...

    async def set(self, key: str, entry: FareEntry, *, timeout: float) -> None: ...

    async def delete(self, keys: Sequence[str], *, timeout: float) -> None:
        """Forget `keys` (an answer found to be wrong); absent keys are not an error."""
        ...


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(FareEntry)


def dump_entry(entry: FareEntry) -> bytes:
    return _encoder.encode(entry)


def load_entry(data: bytes) -> FareEntry:
    """Raises `CacheError` for bytes that are not an entry (an older format, corruption)."""
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise CacheError(f"undecodable cache entry: {exc}") from exc
