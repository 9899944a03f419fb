"""What `SearchUsage`'s memos cost in memory and what a cached hit's event costs in CPU: this
tree's `search/usage.py` against another version of it (`--baseline`, e.g. the file before the
per-answer memos), in one process, side by side.

Memory: `--searches` searches, each validated into a fresh `SearchRequest` (as signed-in
travelers', misses' and full-path hits' are), over `--shapes` distinct searches drawn 1/rank,
answered from an L1 bounded at `--l1-mib` (answers of ~28 kB, the bench mix's): a miss stores a
new answer; a hit is a third each anonymous (`answer`), signed-in (100 travelers), and fast path
(`fast_hit`).
Reported: tracemalloc's traced bytes over the run (after the L1 filled) and the memos' entries.

QueryKeys: the bytes one remembered query costs (tracemalloc over 20,000 searches of the bench
mix, `bench.traffic`, GET and POST), for `search.caching.QUERY_ENTRY_OVERHEAD_BYTES`.

CPU: `fast_hit` and an anonymous `answer` hit on warm memos (1,000 held searches over 300 live
answers), CPU ns per call (`time.process_time_ns`), alternating turns, medians.

    python -m bench.usage_memos --baseline /tmp/usage_before.py [--searches 50000] [--turns 9]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.util
import json
import random
import statistics
import time
import tracemalloc
import urllib.parse
from types import ModuleType
from typing import Any

import msgspec

from bench.traffic import plan_trip, search_body, search_query
from cache.memory import InMemoryFareCache
from cache.model import FareEntry
from connectors.model import Passengers, SliceQuery
from kernel.usage import HitStamp, UsageEvent
from search.caching import QueryKeys, cache_key
from search.model import SearchRequest
from search.validation import parse_search_body, parse_search_query

ANSWER_BYTES = 28_000
AIRPORTS = ("LHR", "JFK", "CDG", "AMS", "FRA", "MAD", "DXB", "SIN", "HND", "SFO", "BOS", "ORD")


class DropSink:
    """An enabled sink that keeps nothing: only the memos' memory is measured."""

    def emit(self, event: UsageEvent) -> None:
        pass

    def emit_json(self, data: bytes) -> None:
        pass

    def emit_hit(self, stamp: HitStamp, at: bytes, took_ms: bytes, count: int = 1) -> None:
        pass


def load(path: str, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shape(n: int) -> tuple[str, str, dt.date, int]:
    origin = n % 12
    destination = (origin + 1 + (n // 12) % 11) % 12
    return AIRPORTS[origin], AIRPORTS[destination], dt.date(2027, 1, 1) + dt.timedelta(n // 132), 1


def request(n: int) -> SearchRequest:
    origin, destination, day, adults = shape(n)
    return SearchRequest(
        slices=(SliceQuery(origin, destination, day),), passengers=Passengers(adults=adults)
    )


def answer(n: int) -> FareEntry:
    head = b'{"id":"off_%d","total_amount":"%d.50","total_currency":"GBP","pad":"' % (n, 100 + n)
    offers = b"[" + head + b"x" * (ANSWER_BYTES - len(head) - 3) + b'"}]'
    return FareEntry(offers, b"[]", False, 1, 0.0, 1e12, 1e12)


def memo_entries(usage: Any) -> int:
    memos = [usage._memo, *usage._hits.values()] if isinstance(usage._hits, dict) else []
    fast = getattr(usage, "_fast_hits", {})
    return sum(len(m) for m in memos) + sum(len(m) for m in fast.values())


def memory(module: ModuleType, searches: int, shapes: int, l1_mib: int) -> dict[str, Any]:
    """Traced bytes beyond the L1's own (`l1.bytes`), every tenth of the run: the old memos are
    cleared at 10,000 entries, so their cost is a saw, not a line."""
    rng = random.Random(1)
    weights = [1 / rank for rank in range(1, shapes + 1)]
    l1 = InMemoryFareCache(100_000, max_bytes=l1_mib * 2**20)
    usage = module.SearchUsage(DropSink(), traveler_key=b"k")
    draws = rng.choices(range(shapes), weights=weights, k=searches)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    beyond: list[int] = []
    entries: list[int] = []
    for i, n in enumerate(draws, 1):
        req = request(n)
        key = cache_key(req)
        entry = l1.peek_fresh(key)
        if entry is None:
            entry = answer(n)
            l1.put(key, entry)
            usage.answer(req, entry, channel="get", cache="miss", took_ms=40)
        elif i % 3 == 0:
            usage.answer(req, entry, channel="get", cache="hit", took_ms=1)
        elif i % 3 == 1:
            usage.answer(req, entry, channel="get", cache="hit", took_ms=1, traveler=f"t{n % 100}")
        else:
            usage.fast_hit(req, entry, 1)
        if i % (searches // 10) == 0:
            del req, entry
            gc.collect()
            beyond.append(tracemalloc.get_traced_memory()[0] - base - l1.bytes)
            entries.append(memo_entries(usage))
    tracemalloc.stop()
    return {
        "beyond_l1_bytes": beyond,
        "max_beyond_l1_mib": round(max(beyond) / 2**20, 2),
        "memo_entries": entries,
        "l1_entries": len(l1),
        "l1_bytes": l1.bytes,
    }


def cpu(modules: dict[str, ModuleType], turns: int, calls: int) -> dict[str, dict[str, float]]:
    answers = [answer(n) for n in range(300)]
    held = [(request(n), answers[n % 300]) for n in range(1_000)]
    usages = {name: m.SearchUsage(DropSink()) for name, m in modules.items()}
    for usage in usages.values():
        for req, entry in held:
            usage.fast_hit(req, entry, 1)
            usage.answer(req, entry, channel="get", cache="hit", took_ms=1)
    work = (held * (calls // len(held) + 1))[:calls]
    ns: dict[str, dict[str, list[float]]] = {n: {"fast_hit": [], "answer_hit": []} for n in usages}
    for turn in range(turns):
        for name in sorted(usages, reverse=turn % 2 == 1):
            usage = usages[name]
            fast = usage.fast_hit
            start = time.process_time_ns()
            for req, entry in work:
                fast(req, entry, 1)
            ns[name]["fast_hit"].append((time.process_time_ns() - start) / calls)
            full = usage.answer
            start = time.process_time_ns()
            for req, entry in work:
                full(req, entry, channel="get", cache="hit", took_ms=1)
            ns[name]["answer_hit"].append((time.process_time_ns() - start) / calls)
    return {n: {k: statistics.median(v) for k, v in d.items()} for n, d in ns.items()}


def query_key_cost() -> dict[str, float]:
    rng = random.Random(7)
    today = dt.date.today()
    trips = [plan_trip(rng, today) for _ in range(20_000)]
    keys = QueryKeys(max_entries=10**9)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    lengths = 0
    for trip in trips:
        query: str | bytes
        if trip.kind == "multi-city" or rng.random() < 0.3:
            query = json.dumps(search_body(trip), separators=(",", ":")).encode()
            req = parse_search_body(query, today=today)
        else:
            query = urllib.parse.urlencode(search_query(trip))
            req = parse_search_query(urllib.parse.parse_qsl(query), today=today)
        if query not in keys._keys:
            lengths += len(query)
        keys.put(query, cache_key(req, b"scope"), 1, req)
    del query, req
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {
        "entries": len(keys),
        "bytes_per_entry": grown / len(keys),
        "beyond_len_query": (grown - lengths) / len(keys),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", required=True, help="another version of search/usage.py")
    parser.add_argument("--searches", type=int, default=50_000)
    parser.add_argument("--shapes", type=int, default=5_000)
    parser.add_argument("--l1-mib", type=int, default=8)
    parser.add_argument("--turns", type=int, default=9)
    parser.add_argument("--calls", type=int, default=200_000)
    args = parser.parse_args()
    modules = {
        "before": load(args.baseline, "usage_before"),
        "after": load("search/usage.py", "usage_after"),
    }
    result: dict[str, Any] = {"memory": {}, "cpu_ns_per_call": cpu(modules, args.turns, args.calls)}
    for name, module in modules.items():
        result["memory"][name] = memory(module, args.searches, args.shapes, args.l1_mib)
    result["query_keys"] = query_key_cost()
    print(msgspec.json.format(msgspec.json.encode(result)).decode())


if __name__ == "__main__":
    main()
