"""CPU per cold search in one process, and the time after its slowest airline answered: the
whole app (`create_app`, started without a listening socket) against a running sim, N
sequential `cache=false` searches through `SearchService.search_body`, writes settled.

    skyfare sim &   # SKYFARE_SIM_PORT=22060; every airline at a fixed 5 ms (see below)
    DATABASE_URL=… REDIS_URL=… python -m bench.cold_cpu --sim-port 22060 -n 150 --label B-1 \
        [--idle-seconds 10]

Sequential searches put no queue in front of the worker, so on a shared machine the figures
move far less than an open loop's: the thread's CPU time per search (the app's own background
tasks included, alike on both sides), and per search `meta.took_ms` less its slowest
connector's `latency_ms` (ranking, encoding, the Redis writes on the answer's path). For an A/B
run it alternately from two checkouts with PYTHONPATH set to each
(bench/results/2026-12-04-cold-writes.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import statistics
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import uvloop
from aiohttp import web

from cache.read_through import ReadThroughCache
from connectors.model import Passengers, SliceQuery
from search import routes as search_routes
from search.model import SearchRequest
from search.service import SearchService
from skyfare.app import create_app
from skyfare.keys import FARE_CACHE
from skyfare.settings import load_settings

WARMUP = 30  # WSDL, connections, request templates


def _request(i: int) -> SearchRequest:
    day = dt.date.today() + dt.timedelta(days=7 + i % 60)
    return SearchRequest(
        slices=(SliceQuery("LHR", "JFK", day),), passengers=Passengers(), cache=False
    )


@contextlib.asynccontextmanager
async def warm_app(
    sim_port: int, env: dict[str, str] | None = None, **patience: Any
) -> AsyncIterator[tuple[SearchService, ReadThroughCache]]:
    """The whole app (no listening socket) against the sim at `sim_port`, warmed up: its search
    service and fare cache. `env`: more settings by variable; `patience`: timeouts to override."""
    # Patient stores: a loaded machine must not turn into timeouts nobody measures here. The
    # search deadline stays under the airlines' 5 s ceiling (`ConnectorSettings.timeout_s`), as
    # the default 2.5 s does: which of the two cuts an airline call decides which timers it arms
    # (kernel/timeouts.py).
    timeouts = {"db_timeout_s": 30.0, "cache_redis_timeout_ms": 2000, "search_deadline_ms": 4500}
    settings = load_settings(
        {"SKYFARE_SIM_PORT": str(sim_port), **(env or {})},
        database_url=os.environ["DATABASE_URL"],
        redis_url=os.environ["REDIS_URL"],
        **(timeouts | patience),
    )
    runner = web.AppRunner(create_app(settings))
    await runner.setup()
    try:
        service = runner.app[search_routes.SEARCH_SERVICE]
        fares = runner.app[FARE_CACHE]
        for i in range(WARMUP):
            await service.search_body(_request(i))
        await fares.settle()
        yield service, fares
    finally:
        await runner.cleanup()


async def measure(sim_port: int, n: int, idle_s: float = 0.0) -> dict[str, object]:
    async with warm_app(sim_port) as (service, fares):
        after = []
        cpu, wall = time.thread_time(), time.perf_counter()
        for i in range(n):
            body, _ = await service.search_body(_request(i))
            meta = msgspec.json.decode(body)["meta"]
            after.append(meta["took_ms"] - max(c["latency_ms"] for c in meta["connectors"]))
        await fares.settle()
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        # What the app's background tasks (outbox relay, usage buffer, sweepers) cost with no
        # search at all: part of every search's CPU above, at any rate.
        idle = time.thread_time()
        await asyncio.sleep(idle_s)
        idle = time.thread_time() - idle
    return {
        "cpu_ms_per_search": round(cpu * 1000 / n, 3),
        "wall_ms_per_search": round(wall * 1000 / n, 2),
        "after_slowest_ms_median": statistics.median(after),
        "after_slowest_ms_p90": sorted(after)[int(n * 0.9)],
        "idle_cpu_ms_per_s": round(idle * 1000 / idle_s, 3) if idle_s else None,
        "load1": round(os.getloadavg()[0], 2),
        "connectors": [f"{c['name']}:{c['status']}" for c in meta["connectors"]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sim-port", type=int, required=True)
    parser.add_argument("-n", type=int, default=150)
    parser.add_argument("--label", default="run")
    parser.add_argument("--idle-seconds", type=float, default=0.0, help="then idle, measured")
    args = parser.parse_args()
    result = uvloop.run(measure(args.sim_port, args.n, args.idle_seconds))
    print(json.dumps({"label": args.label, **result}), flush=True)


if __name__ == "__main__":
    main()
