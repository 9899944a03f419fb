"""Thread CPU per cold search of each synchronous phase (parsing, ranking, encoding, the cache
writes' commands, …) and what is left (the event loop, sockets, tasks, timeouts, the awaits'
Python between phases): `bench.cold_cpu`'s sequential searches with each phase's function
wrapped in a `time.thread_time()` pair.

    DATABASE_URL=… REDIS_URL=… python -m bench.cold_phases --sim-port 22060 -n 300

A sampling profiler on a shared VM charges a thread for the time it waits to run (py-spy counts
a runnable thread as busy: a Redis woken on the same core shows as the worker's `writev`);
thread CPU time does not. The wrappers cost ~1 µs each (two clock reads); `--bare` gives the
unwrapped total for comparison. Phases nest nowhere here, so their sum is meaningful.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import msgspec
import uvloop

from bench.cold_cpu import _request, warm_app

SPENT: defaultdict[str, float] = defaultdict(float)
CALLS: defaultdict[str, int] = defaultdict(int)


def _timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[label] += time.thread_time() - start
            CALLS[label] += 1

    return wrapper


class _TimedDecoder:
    def __init__(self, label: str, decoder: Any) -> None:
        self.decode = _timed(label, decoder.decode)


def _wrap() -> None:
    """Each phase's function, where its caller looks it up."""
    from cache import redis as cache_redis
    from cache import tags
    from connectors.ndc import connector as ndc_connector
    from connectors.ndc import mapping as ndc_mapping
    from connectors.resilience import attempts
    from connectors.rest import connector as rest_connector
    from connectors.rest import mapping as rest_mapping
    from connectors.soap import mapping as soap_mapping
    from connectors.soap import shopping as soap_shopping
    from connectors.soap import templates as soap_templates
    from kernel import http1
    from search import fare_index, fare_index_redis, service, usage

    rest_connector._shopping = _TimedDecoder("rest: JSON decode", rest_connector._shopping)  # type: ignore[assignment]
    wraps: list[tuple[Any, str, str]] = [
        (rest_mapping, "to_offer", "rest: to_offer"),
        (rest_mapping, "to_shopping_request", "rest: request"),
        (soap_shopping, "to_offers", "soap: parse + to_offers"),
        (soap_mapping, "search_body", "soap: request body"),
        (soap_templates.RequestTemplates, "build", "soap: envelope"),
        (ndc_mapping, "parse", "ndc: parse"),
        (ndc_mapping, "raise_for_errors", "ndc: errors check"),
        (ndc_mapping, "to_offers", "ndc: to_offers"),
        (ndc_connector, "air_shopping_bytes", "ndc: request"),
        (http1.Http1Origin, "_message", "http: request head"),
        (attempts.Attempts, "_observe", "resilience: metrics"),
        (service, "rank", "rank"),
        (service, "to_entry", "encode entry"),
        (service, "cache_key", "cache key"),
        (service, "response_body", "response body"),
        (service.SearchService, "_reports", "reports"),
        (service, "slot_for_search", "index slot"),
        (fare_index.CheapestFare, "of", "index fare"),
        (usage.SearchUsage, "answer", "usage event"),
        (tags.RedisTagIndex, "add_command", "redis: tags command"),
        (fare_index_redis.RedisFareIndex, "record_command", "redis: index command"),
        (cache_redis.RedisFareCache, "set_command", "redis: SET command"),
    ]
    import redis.asyncio.connection as redis_connection

    wraps.append((redis_connection.AbstractConnection, "pack_commands", "redis: pack (redis-py)"))
    for owner, name, label in wraps:
        original = owner.__dict__[name]
        if isinstance(original, classmethod):
            setattr(owner, name, classmethod(_timed(label, original.__func__)))
        elif isinstance(original, staticmethod):
            setattr(owner, name, staticmethod(_timed(label, original.__func__)))
        else:
            setattr(owner, name, _timed(label, original))


async def measure(sim_port: int, n: int, bare: bool) -> dict[str, Any]:
    if not bare:
        _wrap()
    async with warm_app(sim_port) as (service, fares):
        SPENT.clear()
        CALLS.clear()
        offers = 0
        cpu = time.thread_time()
        for i in range(n):
            body, _ = await service.search_body(_request(i))
            offers += len(msgspec.json.decode(body)["offers"])
        await fares.settle()
        cpu = time.thread_time() - cpu
    phases = {k: round(v * 1e6 / n, 1) for k, v in sorted(SPENT.items(), key=lambda kv: -kv[1])}
    named = sum(SPENT.values()) * 1e6 / n
    return {
        "cpu_us_per_search": round(cpu * 1e6 / n, 1),
        "phases_us_per_search": phases,
        "calls_per_search": {k: round(v / n, 2) for k, v in CALLS.items()},
        "phases_total_us": round(named, 1),
        "rest_us": round(cpu * 1e6 / n - named, 1),
        "offers_per_answer": round(offers / n, 1),
        "load1": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sim-port", type=int, required=True)
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--bare", action="store_true", help="no wrappers: the total alone")
    args = parser.parse_args()
    print(json.dumps(uvloop.run(measure(args.sim_port, args.n, args.bare)), indent=1), flush=True)


if __name__ == "__main__":
    main()
