"""What one cached hit's usage event costs, in-process: N hits of one search and answer through
`SearchUsage` → `UsageBuffer`, then published to the real Redis (`REDIS_URL`).

Per hit, medians of `--runs`: the request path's CPU (`answer` + the buffer's append), the
publisher's CPU (`flush`: encoding and the redis-py call) and Redis's time (`INFO commandstats`
of `evalsha`/`eval`/`xadd`, server-wide: other clients' scripts leak in on a shared Redis).
Whole-server runs (bench/usage_cost.py) cannot resolve a microsecond on a loaded 2-core machine;
these figures can.

    python -m bench.usage_publish [--hits 40960] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import time
from typing import Any

import msgspec
import redis.asyncio as redis

from analytics.publisher import UsageBuffer
from cache.model import FareEntry
from connectors.model import Passengers, SliceQuery
from search.model import SearchRequest
from search.usage import SearchUsage

STREAM = "bench:usage-publish"
REQUEST = SearchRequest(
    slices=(SliceQuery("LHR", "JFK", dt.date(2027, 1, 10)),), passengers=Passengers(adults=1)
)
# A stored answer of one offer, never stale during the run (FareEntry is array-like: offers,
# connectors, partial, offer_count, cached_at, fresh_until, stale_until).
ENTRY = msgspec.convert(
    [b'[{"id":"off_1","total_amount":"412.30","total_currency":"USD"}]', b"[]", False, 1, 0.0,
     1e12, 1e12],
    FareEntry,
)  # fmt: skip
_COMMANDS = ("cmdstat_evalsha", "cmdstat_eval", "cmdstat_xadd")


async def measure(url: str, hits: int, runs: int) -> dict[str, Any]:
    client = redis.Redis.from_url(url)
    figures: dict[str, list[float]] = {"hit_us": [], "publish_us": [], "redis_us": []}
    try:
        for _ in range(runs):
            buffer = UsageBuffer(client, STREAM, maxlen=1_000_000, capacity=hits + 1)
            usage = SearchUsage(buffer)
            start = time.process_time()
            for i in range(hits):
                usage.answer(REQUEST, ENTRY, channel="get", cache="hit", took_ms=i & 3)
            hit_s = time.process_time() - start
            before = await client.info("commandstats")
            start = time.process_time()
            while len(buffer):
                await buffer.flush()
            publish_s = time.process_time() - start
            after = await client.info("commandstats")
            redis_us = sum(
                after[k]["usec"] - before.get(k, {"usec": 0})["usec"]
                for k in _COMMANDS
                if k in after
            )
            figures["hit_us"].append(round(hit_s / hits * 1e6, 3))
            figures["publish_us"].append(round(publish_s / hits * 1e6, 3))
            figures["redis_us"].append(round(redis_us / hits, 3))
            await client.delete(STREAM)
    finally:
        await client.aclose()
    medians = {name: statistics.median(values) for name, values in figures.items()}
    return {"hits": hits, "runs": figures, "medians": medians, "load_average": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--hits", type=int, default=40_960)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    print(json.dumps(asyncio.run(measure(url, args.hits, args.runs)), indent=2))


if __name__ == "__main__":
    main()
