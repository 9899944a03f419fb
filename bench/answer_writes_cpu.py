"""CPU of a stored answer's Redis writes: one by one (as before) against one round trip
(`search.answer_writes.AnswerWrites`), in one process, alternating, against a real Redis.

    REDIS_URL=redis://127.0.0.1:6379/1 python -m bench.answer_writes_cpu [--offers 40] \
        [-n 2000] [--turns 6]

"separate" is what `SearchService` did after an answer once Redis had answered: the fare-index
script in a task of its own beside a task that SETs the entry and then runs the tag script
(`ReadThroughCache._share_if` → `StaleFares.remember`); "batched" is `AnswerWrites.write`.
Per turn: the thread's CPU time per answer (`time.thread_time`: this process only, so Redis's
own CPU is not in it; the calls wait on a Redis that shares the machine) and the wall time.
Each answer gets a fresh key, a fresh index slot and `--offers` fresh offer ids, as a cold
search's would. Prints one JSON line per turn, then the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from decimal import Decimal

import redis.asyncio as aioredis
import uvloop

from cache.keys import PREFIX
from cache.memory import InMemoryFareCache
from cache.model import FareEntry
from cache.redis import RedisFareCache
from cache.tags import RedisTagIndex
from cache.tiered import TieredFareCache
from search.answer_writes import AnswerWrites
from search.fare_index import CheapestFare, IndexSlot
from search.fare_index_redis import RedisFareIndex
from search.stale_fares import StaleFares

TIMEOUT_S = 1.0


class Answer:
    def __init__(self, offers: int) -> None:
        now = time.time()
        self.key = PREFIX + uuid.uuid4().hex
        self.entry = FareEntry(
            b"[" + b"1," * 3000 + b"1]", b"[]", False, offers, now, now + 60, now + 120
        )
        self.ids = [f"off_{uuid.uuid4().hex}{uuid.uuid4().hex}" for _ in range(offers)]
        self.slot = IndexSlot("skyfare:cheapest:v1:bench:" + uuid.uuid4().hex[:6], "2030-06-20")
        self.fare = CheapestFare(
            Decimal("250.00"), "USD", self.ids[0], offers, now, now + 60, now + 120
        )
        self.began = now


async def turn(kind: str, client: aioredis.Redis, n: int, offers: int) -> dict[str, float]:
    store = TieredFareCache(InMemoryFareCache(0), RedisFareCache(client))
    index = RedisFareIndex(client, timeout_s=TIMEOUT_S)
    tags = RedisTagIndex(client)
    stale = StaleFares(store, tags, index, timeout_s=TIMEOUT_S, tag_timeout_s=TIMEOUT_S)
    writes = AnswerWrites(client, store, RedisFareCache(client), tags, index, timeout_s=TIMEOUT_S)
    answers = [Answer(offers) for _ in range(n)]

    async def separate(a: Answer) -> None:
        async def share_then_tags() -> None:
            await store.share(a.key, a.entry, timeout=TIMEOUT_S)
            await stale.remember(a.key, a.entry, a.ids, a.slot, began=a.began)

        await asyncio.gather(
            asyncio.ensure_future(index.record(a.slot, a.fare)),
            asyncio.ensure_future(share_then_tags()),
        )

    async def batched(a: Answer) -> None:
        await asyncio.ensure_future(
            writes.write(a.key, a.entry, a.ids, a.slot, a.fare, began=a.began)
        )

    run = separate if kind == "separate" else batched
    for a in answers[:50]:  # connections, scripts
        await run(a)
    cpu, wall = time.thread_time(), time.perf_counter()
    for a in answers[50:]:
        await run(a)
    done = n - 50
    return {
        "cpu_us": round((time.thread_time() - cpu) / done * 1e6, 1),
        "wall_us": round((time.perf_counter() - wall) / done * 1e6, 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--offers", type=int, default=40)
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--turns", type=int, default=6)
    args = parser.parse_args()
    client = aioredis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=TIMEOUT_S)
    results: dict[str, list[dict[str, float]]] = {"separate": [], "batched": []}
    for i in range(args.turns):
        for kind in ("separate", "batched") if i % 2 == 0 else ("batched", "separate"):
            result = await turn(kind, client, args.n, args.offers)
            results[kind].append(result)
            print(json.dumps({"kind": kind, "turn": i + 1, **result, "load1": os.getloadavg()[0]}))
    summary = {
        kind: {k: statistics.median(r[k] for r in rs) for k in ("cpu_us", "wall_us")}
        for kind, rs in results.items()
    }
    print(json.dumps({"medians": summary, "offers": args.offers}))
    await client.aclose()


if __name__ == "__main__":
    uvloop.run(main())
