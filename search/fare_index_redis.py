"""`RedisFareIndex`: the cheapest-fare index in Redis hashes, every call bounded by a timeout.

A hash holds a month of one route, so its TTL is the longest stale window of its fields: a Lua
script sets the field and only ever extends the TTL (Redis 6.2 has no `EXPIRE ... GT`, and
per-field TTLs need 7.4). Fields outlive their own stale window inside a longer-lived hash, so
readers check `stale_until` themselves.

Reads (`lookup`, `month`) go through a circuit breaker (search/fare_index_breaker.py): after
two in a row have timed out, the next fail at once for a moment instead of each waiting out the
timeout on a Redis that does not answer. Writes need none: they are sent off the answer's path,
with a timeout ten times shorter, and never raise.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

import msgspec
import redis.asyncio as aioredis

from cache.batch import Queued, evalsha, script_call
from cache.model import REDIS_FAILURES
from kernel.logs import describe
from search.fare_index import CheapestFare, ErrorLog, FareIndexError, IndexSlot
from search.fare_index_breaker import ReadBreaker

_RECORD = """
local ttl = redis.call('PTTL', KEYS[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ttl < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1
"""
# Deletes the field only if it still holds the bytes read: a fare a newer search recorded stays.
_FORGET = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
    return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
"""
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(CheapestFare)


def _decode(data: bytes | None) -> CheapestFare | None:
    if data is None:
        return None
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError:
        return None  # an older format: a miss, overwritten by the next search


class RedisFareIndex:
    """A `FareIndex` over a `redis.asyncio` client (which owns the connections)."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        timeout_s: float = 0.05,
        read_timeout_s: float = 0.5,
        clock: Callable[[], float] = time.time,
        breaker: ReadBreaker | None = None,
    ) -> None:
        self._client = client
        self.breaker = ReadBreaker() if breaker is None else breaker
        self._script = client.register_script(_RECORD)
        self._forget = client.register_script(_FORGET)
        self._timeout_s = timeout_s
        # Reads serve a partner batch (up to 100 fields a call), not one traveler's search.
        self._read_timeout_s = read_timeout_s
        self._clock = clock
        self._log = ErrorLog("fare index: redis write failed, fare not indexed")

    async def record(self, slot: IndexSlot, fare: CheapestFare) -> None:
        queued = self.record_command(slot, fare)
        if queued is None:
            return
        try:
            async with asyncio.timeout(self._timeout_s):
                await queued.alone()
        except REDIS_FAILURES as exc:
            self._log(exc)

    def record_command(self, slot: IndexSlot, fare: CheapestFare) -> Queued | None:
        """What `record` sends, for a batch (`cache.batch`); None when the fare is past its stale
        window. A batch reports a failed write through `failed`."""
        ttl_ms = int((fare.stale_until - self._clock()) * 1000)
        if ttl_ms <= 0:
            return None
        return script_call(self._script, [slot.key], [slot.field, _encoder.encode(fare), ttl_ms])

    def failed(self, exc: BaseException) -> None:
        """A write sent in a batch failed: logged as `record` logs its own."""
        self._log(exc)

    async def forget(self, slots: Sequence[IndexSlot], offer_id: str) -> None:
        await self.forget_each([(s, offer_id) for s in slots])

    async def forget_each(self, fares: Sequence[tuple[IndexSlot, str]]) -> None:
        slots = [s for s, _ in fares]
        try:
            values = await self._raw(slots, self._timeout_s)
            # One script call per slot still holding its offer, at once: a pipeline of scripts
            # is refused by redis-py's cluster client, and the slots' keys may live on different
            # shards anyway. Most slots no longer do (a newer search replaced the fare).
            async with asyncio.timeout(self._timeout_s):
                await asyncio.gather(
                    *(
                        evalsha(self._forget, [s.key], [s.field, data])
                        for (s, offer_id), data in zip(fares, values, strict=True)
                        if data is not None
                        and (fare := _decode(data)) is not None
                        and fare.offer_id == offer_id
                    )
                )
        except REDIS_FAILURES as exc:
            self._log(exc)

    async def _raw(self, slots: Sequence[IndexSlot], timeout: float) -> list[bytes | None]:
        if not slots:
            return []
        # One HMGET per hash (a route's month), not one HGET per slot: a partner's batch asks
        # for many days of few routes, and redis-py packs and parses each command in Python
        # (~10 µs each), which was most of a 1000-query batch's time. One key per command, so
        # a cluster client routes each to its shard as before.
        by_key: dict[str, list[int]] = {}
        for i, s in enumerate(slots):
            by_key.setdefault(s.key, []).append(i)
        async with asyncio.timeout(timeout):
            async with self._client.pipeline(transaction=False) as pipe:
                for key, positions in by_key.items():
                    pipe.hmget(key, [slots[i].field for i in positions])
                found: list[list[bytes | None]] = await pipe.execute()
        values: list[bytes | None] = [None] * len(slots)
        for positions, fields in zip(by_key.values(), found, strict=True):
            for i, value in zip(positions, fields, strict=True):
                values[i] = value
        return values

    async def lookup(self, slots: Sequence[IndexSlot]) -> list[CheapestFare | None]:
        if not slots:  # asks Redis nothing: no verdict for the breaker (nor a probe's)
            return []
        try:
            async with self.breaker.read("lookup"):
                values = await self._raw(slots, self._read_timeout_s)
        except REDIS_FAILURES as exc:
            raise FareIndexError(f"redis HGET failed: {describe(exc)}") from exc
        return [_decode(v) for v in values]

    async def month(self, key: str) -> dict[str, CheapestFare]:
        try:
            async with self.breaker.read("month"), asyncio.timeout(self._read_timeout_s):
                values = await self._client.hgetall(key)
        except REDIS_FAILURES as exc:
            raise FareIndexError(f"redis HGETALL failed: {describe(exc)}") from exc
        now = self._clock()
        out = {}
        for name, data in values.items():
            fare = _decode(data if isinstance(data, bytes) else data.encode())
            if fare is not None and fare.stale_until > now:
                out[name.decode() if isinstance(name, bytes) else name] = fare
        return out
