"""The Redis side of a hold, in-process: client CPU and round trips per order made, two checkouts
side by side, alternating turns.

    REDIS_URL=redis://127.0.0.1:6379/N python -m bench.hold_redis_cpu \\
        --trees /path/to/base,/path/to/this [--turns 7] [--orders 400] [--concurrency 16]

What the API worker asks Redis for each order made, as `bench.booking_rate api` sees it (one 409
re-price refusal and one 201): the traveler's rate limit (`RateLimiter.decide`) on both attempts;
for the 409 a re-pricing that found another price (`checked(..., "changed")`, on an offer whose
tag a sale already took, as in the benchmark); for the 201 a re-pricing that held (`checked(...,
"held")`), the airline's hold (a 1 ms sleep stands in for it), then the sale (`sold`); the
process's `StaleFares.run` task finishes the sales' evictions (`DEL`, evictions feed, fare index,
owed record) in the background. Each 201's offer is tagged beforehand as a cached answer that
is in the fare index (not timed). The wiring is the API worker's (`skyfare.redis_client`,
`UsagePriceChecks` over `StaleFares`, `NoUsage`), each tree's own code: copy this file into the
base checkout's `bench/`.

`process_us`: the process's CPU (`time.process_time`) from the first attempt until every
eviction is finished, per order made; `round_trips`: commands sent alone plus pipelines, per order
made (a script is one). Under callgrind (`--one-side --orders N` at two N) the difference of
instructions over the difference of orders is the load-independent figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import redis.asyncio as aioredis
import uvloop

from bench.trees import alternating
from bench.trees import one_side as run_one_side
from cache import evictions
from cache.keys import PREFIX
from cache.memory import InMemoryFareCache
from cache.model import FareEntry
from cache.redis import RedisFareCache
from cache.tags import RedisTagIndex
from cache.tiered import TieredFareCache
from connectors import offer_ids
from kernel.usage import NoUsage
from search.fare_index import CheapestFare, IndexSlot
from search.fare_index_redis import RedisFareIndex
from search.stale_fares import StaleFares, member
from skyfare.ratelimit import RateLimiter
from skyfare.redis_client import redis_client
from skyfare.settings import load_settings
from skyfare.travelers import Traveler
from skyfare.usage import UsagePriceChecks

MODULE = "bench.hold_redis_cpu"
TIMEOUT_S = 1.0
HOLD_S = 0.001  # the airline's hold, between the re-price and the sale


def counted(client: aioredis.Redis) -> list[int]:
    """Count what `client` sends: each command alone and each pipeline, one round trip each."""
    trips = [0]
    execute, pipeline = client.execute_command, client.pipeline

    async def command(*args: Any, **options: Any) -> Any:
        trips[0] += 1
        return await execute(*args, **options)  # type: ignore[no-untyped-call]

    def counted_pipeline(*args: Any, **kwargs: Any) -> Any:
        pipe = pipeline(*args, **kwargs)
        run = pipe.execute

        async def once(raise_on_error: bool = True) -> Any:
            trips[0] += 1
            return await run(raise_on_error=raise_on_error)

        pipe.execute = once  # type: ignore[method-assign]
        return pipe

    client.execute_command = command  # type: ignore[method-assign]
    client.pipeline = counted_pipeline  # type: ignore[method-assign]
    return trips


def as_wired(client: aioredis.Redis) -> dict[str, Any]:
    """What skyfare/search_contexts.py adds to `StaleFares` on a plain Redis, in the trees that
    have it (the batch's one-script eviction)."""
    try:
        from cache.evict_settle import RedisEvictAndSettle
    except ImportError:  # a base checkout before it
        return {}
    return {"evict_settle": RedisEvictAndSettle(client)}


async def cached(client: aioredis.Redis, offer: str, index: RedisFareIndex) -> None:
    """`offer` in a cached answer that is in the fare index, as a search leaves it."""
    now = time.time()
    key, slot = PREFIX + uuid.uuid4().hex, IndexSlot(f"bench:hold-redis:{uuid.uuid4().hex}", "d")
    entry = FareEntry(b"[]", b"[]", False, 1, now, now + 60, now + 240)
    await RedisFareCache(client).set(key, entry, timeout=TIMEOUT_S)
    await index.record(slot, CheapestFare(Decimal(1), "USD", offer, 1, now, now + 60, now + 240))
    await RedisTagIndex(client).add(
        [offer], member(key, slot), ttl_s=240, timeout=TIMEOUT_S, unless_marked=key, since=now
    )


async def one_side(url: str, orders: int, concurrency: int) -> dict[str, float]:
    bounds = {"socket_timeout": TIMEOUT_S, "connect_timeout": TIMEOUT_S, "pool_timeout": TIMEOUT_S}
    client = redis_client(load_settings({}), url=url, max_connections=200, **bounds)
    feed = evictions.RedisEvictionFeed(client)
    store = TieredFareCache(InMemoryFareCache(1000), RedisFareCache(client), evictions=feed)
    index = RedisFareIndex(client, timeout_s=TIMEOUT_S)
    stale = StaleFares(store, RedisTagIndex(client), index, timeout_s=TIMEOUT_S,
                       tag_timeout_s=TIMEOUT_S, **as_wired(client))  # fmt: skip
    checks = UsagePriceChecks(stale, NoUsage())
    limiter = RateLimiter(client, timeout_s=TIMEOUT_S, prefix="bench:hold-redis:rl:")
    travelers = [Traveler(uuid.uuid4().hex, 1e6, 1_000_000) for _ in range(concurrency)]
    sold = [offer_ids.encode("bench", uuid.uuid4().hex) for _ in range(orders)]
    for offer in sold:
        await cached(client, offer, index)
    changed = offer_ids.encode("bench", uuid.uuid4().hex)  # a sale took its tag already
    task = asyncio.create_task(stale.run(retry_every_s=3600))
    trips = counted(client)

    async def traveler(n: int) -> None:
        for offer in sold[n::concurrency]:
            await limiter.decide(travelers[n])  # the 409
            await checks.checked(changed, "changed")
            await limiter.decide(travelers[n])  # the 201
            await checks.checked(offer, "held")
            await asyncio.sleep(HOLD_S)
            await checks.sold(offer)

    started = time.process_time()
    await asyncio.gather(*(traveler(n) for n in range(concurrency)))
    await stale.finish_owed()
    used = time.process_time() - started
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await client.aclose()
    return {"process_us": used / orders * 1e6, "round_trips": trips[0] / orders}


def compare(args: argparse.Namespace) -> None:
    options = ["--orders", str(args.orders), "--concurrency", str(args.concurrency)]
    rows = alternating(
        args.trees.split(","), args.turns, lambda tree: run_one_side(MODULE, tree, options)
    )
    trees = list(rows)
    print(f"\nload average {os.getloadavg()[0]:.2f}\n")
    print("| tree | Redis round trips per order made | process CPU µs per order made → median |")
    print("|---|---|---|")
    for tree, turns in rows.items():
        cpu = ", ".join(f"{r['process_us']:.0f}" for r in turns)
        median = statistics.median(r["process_us"] for r in turns)
        print(f"| {tree} | {turns[0]['round_trips']:.2f} | {cpu} → **{median:.0f}** |")
    base = trees[0]
    for tree in trees[1:]:
        ratios = [
            r["process_us"] / b["process_us"] for r, b in zip(rows[tree], rows[base], strict=True)
        ]
        shown = ", ".join(f"{x:.2f}" for x in ratios)
        print(f"| {tree} ÷ {base}, per turn | | {shown} → **{statistics.median(ratios):.2f}** |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--trees", help="comma-separated checkouts; the first is the base")
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--turns", type=int, default=7)
    parser.add_argument("--one-side", action="store_true", help="(internal) measure this tree")
    args = parser.parse_args(argv)
    if args.one_side:
        result = uvloop.run(one_side(os.environ["REDIS_URL"], args.orders, args.concurrency))
        print(json.dumps(result))
    elif args.trees:
        compare(args)
    else:
        parser.error("--trees is required")


if __name__ == "__main__":
    main()
