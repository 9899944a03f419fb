"""The CPU of one bulk batch in-process, without Redis, sockets or a scheduler in the way:
`parse_envelope` and `ordered_lines` as `BulkFares` calls them on bench/harness_bulk.py's 1000
queries (100 distinct, all in the in-memory fare index), with the real `SearchUsage` and
`UsageBuffer` (never flushed, emptied each batch).

    PYTHONPATH=/tmp/old python -m bench.bulk_cpu --label old   # another tree's code
    python -m bench.bulk_cpu --label new [--batches 300]
    python -m bench.bulk_cpu --redis redis://127.0.0.1:6379/5   # the index in that Redis

`--redis`: the fare index is `RedisFareIndex` over that database (keys of a scope of this run's
own, deleted at the end), so each chunk's lookup pays redis-py's pipeline work as the server
does; the waits for Redis are not CPU of this thread. Run this file by path
(`python /path/to/bench/bulk_cpu.py`) to measure another tree's code with this driver.

Prints the thread CPU to the first chunk (the first line's own work: the envelope and the first
chunk) and to the last, median and minimum over the batches; on a busy machine read the
minimum (a preempted batch pays for the caches it lost).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import time
from decimal import Decimal

import redis.asyncio as redis

from analytics.publisher import UsageBuffer
from bench import harness_bulk
from kernel.usage import CacheOutcome, HitStamp
from search import bulk, bulk_service
from search.fare_index import PREFIX, CheapestFare, FareIndex, InMemoryFareIndex
from search.fare_index_redis import RedisFareIndex
from search.usage import SearchUsage

SCOPE = "bench"


class _Usage:
    """`BulkUsage` as `BulkFares` implements it (this tree's `emit` takes a count; an older
    tree's calls it without one)."""

    def __init__(self, usage: SearchUsage) -> None:
        self._usage = usage

    def stamp(
        self, query: bulk.BulkQuery, fare: CheapestFare | None, cache: CacheOutcome
    ) -> HitStamp:
        request = query.search_request()
        return self._usage.fare_stamp(request, fare, channel="bulk", cache=cache, partner=SCOPE)

    def invalid(self) -> HitStamp:
        return self._usage.invalid_stamp(channel="bulk", partner=SCOPE)

    def emit(self, stamp: HitStamp, count: int = 1) -> None:
        if count == 1:
            self._usage.emit_stamp(stamp)
        else:
            self._usage.emit_stamp(stamp, count)


async def _index(today: dt.date, now: float, index: FareIndex) -> FareIndex:
    fare = CheapestFare(Decimal("123.45"), "USD", "off_bench", 7, now - 10, now + 600, now + 6000)
    for raw in harness_bulk.candidates(today):
        query = bulk.validate_query(raw, today)
        assert isinstance(query, bulk.BulkQuery)
        await index.record(query.slot(SCOPE), fare)
    return index


async def measure(batches: int, redis_url: str | None = None) -> dict[str, float]:
    if redis_url is None:
        return await _measure(batches, InMemoryFareIndex())
    client = redis.Redis.from_url(redis_url)
    try:
        return await _measure(batches, RedisFareIndex(client, read_timeout_s=5.0))
    finally:
        keys = [key async for key in client.scan_iter(f"{PREFIX}{SCOPE}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def _measure(batches: int, empty: FareIndex) -> dict[str, float]:
    today, now = dt.datetime.now(dt.UTC).date(), time.time()
    queries = harness_bulk.batch(harness_bulk.candidates(today))
    body = json.dumps({"queries": queries}, separators=(",", ":")).encode()
    index = await _index(today, now, empty)
    buffer = UsageBuffer(redis.Redis(), "bench", maxlen=1, capacity=10**7)  # never connects
    usage = _Usage(SearchUsage(buffer))
    chunk = getattr(bulk_service, "REST_CHUNK", bulk_service.CHUNK)
    firsts, lasts = [], []
    for _ in range(batches):
        buffer._hits.clear()
        buffer._waiting_hits = 0
        started = time.thread_time()
        envelope = bulk.parse_envelope(body)
        lines = bulk_service.ordered_lines(
            envelope.queries, today=today, now=now, max_age_s=3600, scope=SCOPE,
            lookup=index.lookup, usage=usage, chunk=chunk,
            first_chunk=bulk_service.FIRST_CHUNK, keys=envelope.keys,
        )  # fmt: skip
        first, count = 0.0, 0
        async for data in lines:
            first = first or time.thread_time()
            count += data.count(b"\n")
        lasts.append((time.thread_time() - started) * 1000)
        firsts.append((first - started) * 1000)
        assert count == len(queries)
    return {
        "first_cpu_ms_median": round(statistics.median(firsts), 3),
        "first_cpu_ms_min": round(min(firsts), 3),
        "last_cpu_ms_median": round(statistics.median(lasts), 3),
        "last_cpu_ms_min": round(min(lasts), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--label", default="this tree")
    parser.add_argument("--redis", help="a Redis URL: the fare index there, not in memory")
    args = parser.parse_args()
    print(json.dumps({"label": args.label, **asyncio.run(measure(args.batches, args.redis))}))


if __name__ == "__main__":
    main()
