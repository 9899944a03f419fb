"""The fare index's batch read, before and after issue 18, side by side against a real Redis.

    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python -m bench.fare_index_lookup [--turns 30]

Records one cheapest fare for each of the 10 popular routes on 10 days (100 slots under a scope
of its own), then reads a 1000-slot batch of them (shuffled, seed 18) in chunks of 100, as
`POST /v1/fares/bulk` does, in alternating turns: one `HGET` per slot in a pipeline (before)
against `RedisFareIndex.lookup` (one `HMGET` per month hash). Prints the median ms of each and
deletes its keys.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Sequence

import redis.asyncio as aioredis

from bench import traffic
from search.fare_index import CheapestFare, IndexSlot, slot
from search.fare_index_redis import RedisFareIndex, _decode


async def _one_hget_per_slot(client: aioredis.Redis, slots: Sequence[IndexSlot]) -> list[object]:
    async with client.pipeline(transaction=False) as pipe:
        for s in slots:
            pipe.hget(s.key, s.field)
        return [_decode(v) for v in await pipe.execute()]


async def measure(url: str, turns: int) -> dict[str, float]:
    client = aioredis.Redis.from_url(url)
    index = RedisFareIndex(client)
    today = dt.datetime.now(dt.UTC).date()
    slots = [
        slot("lookup-bench", o, d, today + dt.timedelta(days=20 + n), None, "economy", 1)
        for o, d in traffic.POPULAR
        for n in range(10)
    ]
    now = time.time()
    for s in slots:
        await index.record(s, CheapestFare(1, "USD", "off_bench", 3, now, now + 900, now + 3600))
    batch = [slots[i % len(slots)] for i in range(1000)]
    random.Random(18).shuffle(batch)
    ms: dict[str, list[float]] = {"hget_per_slot": [], "hmget_per_hash": []}
    try:
        for turn in range(turns):
            for side in list(ms) if turn % 2 == 0 else list(reversed(ms)):
                started = time.perf_counter()
                for start in range(0, len(batch), 100):
                    chunk = batch[start : start + 100]
                    if side == "hget_per_slot":
                        found = await _one_hget_per_slot(client, chunk)
                    else:
                        found = list(await index.lookup(chunk))
                    if any(f is None for f in found):
                        raise RuntimeError("a recorded fare was not read back")
                ms[side].append((time.perf_counter() - started) * 1000)
    finally:
        await client.delete(*{s.key for s in slots})
        await client.aclose()
    return {side: round(statistics.median(values), 2) for side, values in ms.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--turns", type=int, default=30)
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    print(asyncio.run(measure(url, args.turns)))


if __name__ == "__main__":
    main()
