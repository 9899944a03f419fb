"""The sim airlines alone, two checkouts side by side: CPU per airline call, and how much later
than its configured latency each call is answered (bench/results/2026-12-04-sim-cost.md).

    python -m bench.sim_cost --old-tree /tmp/old [--rate 40] [--turns 6] [--seconds 8] \
        [--base-port 22080] [--json FILE]     # no --base-port: free ports (BENCH_PORTS)

Starts `skyfare sim` from each checkout (the other checkout's code first on its PYTHONPATH) on
core 1, its airlines at `bench.harness_cold`'s fixed latencies, and drives both from this process
on core 0 with Skyfare's own connectors (no resilience layer, no API): `--rate` cold searches a
second, each the six airlines' LHR-JFK searches at once (departure dates cycling over 60 days),
sent on a fixed schedule. Turns alternate between the sides. Per side and turn: the sim's CPU
per airline call (/proc, calls from `/_sim/stats`) and, per call, the time to the connector's
answer less the airline's configured latency (p50 / p99): what the sim adds to "the airline".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import uvloop

from bench import open_loop
from bench.cold_ab import ab_arguments, in_turns
from bench.harness_cold import AIRLINE_LATENCY_MS, ROUTE
from bench.harness_stack import get_json, send_json
from bench.machine import cpu_seconds, listening_pids
from bench.processes import free_port
from bench.stats import percentile
from connectors.base import Connector
from connectors.model import FlightQuery, Passengers, SliceQuery
from connectors.registry import BUILDERS
from skyfare.settings import default_connectors

WARMUP_S = 2.0
TIMEOUT_S = 5.0


class _Sim:
    def __init__(self, url: str, port: int) -> None:
        self.url = url
        self.port = port

    def fix_latencies(self) -> None:
        """Every airline at exactly its `AIRLINE_LATENCY_MS` (as `bench.harness_cold` sets them)."""
        for slug, ms in AIRLINE_LATENCY_MS.items():
            profile = {"latency_ms": ms, "latency_sigma": 0.0, "error_rate": 0.0, "hang_rate": 0.0}
            send_json("PUT", f"{self.url}/_sim/airlines/{slug}/profile", profile)

    def calls(self) -> int:
        stats = get_json(self.url + "/_sim/stats")
        assert isinstance(stats, dict)
        return sum(sum(endpoints.values()) for endpoints in stats.values())

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in listening_pids(self.port))


@contextmanager
def running_sim(port: int, smtp_port: int, tree: Path | None) -> Iterator[_Sim]:
    """`skyfare sim` on core 1 (with `tree` first on its PYTHONPATH), stopped on exit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKYFARE_")}
    data_dir = tempfile.mkdtemp(prefix="sim-cost-")
    env.update(SKYFARE_SIM_PORT=str(port), SKYFARE_DATA_DIR=data_dir, SKYFARE_LOG_LEVEL="WARNING")
    env["SKYFARE_SIM_SMTP_PORT"] = str(smtp_port)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    skyfare = str(Path(sys.executable).with_name("skyfare"))
    proc = subprocess.Popen(
        ["taskset", "-c", "1", skyfare, "sim"], env=env, stdout=subprocess.DEVNULL, stderr=None
    )
    sim = _Sim(f"http://127.0.0.1:{port}", port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get_json(sim.url + "/_sim/airlines")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        yield sim
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _query(i: int) -> FlightQuery:
    departure = open_loop.today_utc() + dt.timedelta(days=7 + i % open_loop.DATES)
    return FlightQuery(slices=(SliceQuery(ROUTE[0], ROUTE[1], departure),), passengers=Passengers())


async def _drive(
    connectors: dict[str, Connector], rate: float, seconds: float
) -> list[tuple[str, float]]:
    """(airline, seconds to its answer) of every call of `rate` searches a second."""
    timed: list[tuple[str, float]] = []

    async def call(slug: str, connector: Connector, query: FlightQuery) -> None:
        started = time.perf_counter()  # uvloop's loop.time() counts whole milliseconds
        try:
            await connector.search(query, timeout=TIMEOUT_S)
        except Exception:  # a failed call is left out: `answered` falls short of `calls`
            return
        timed.append((slug, time.perf_counter() - started))

    start = time.perf_counter()
    tasks = []
    for i in range(round(rate * seconds)):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        query = _query(i)
        tasks += [asyncio.create_task(call(s, c, query)) for s, c in connectors.items()]
    await asyncio.gather(*tasks)
    return timed


async def _connected(sim: _Sim) -> dict[str, Connector]:
    connectors = {}
    for config in default_connectors(sim.url):
        slug = config.base_url.rstrip("/").rsplit("/", 1)[-1]
        connector = BUILDERS[config.kind](config)
        await connector.start()
        connectors[slug] = connector
    return connectors


def _turn(
    sim: _Sim, connectors: dict[str, Connector], rate: float, seconds: float
) -> dict[str, Any]:
    cpu, calls = sim.cpu(), sim.calls()
    timed = asyncio.get_event_loop().run_until_complete(_drive(connectors, rate, seconds))
    cpu, calls = sim.cpu() - cpu, sim.calls() - calls
    over = [elapsed * 1000 - AIRLINE_LATENCY_MS[slug] for slug, elapsed in timed]
    return {
        "load1": round(os.getloadavg()[0], 2),
        "calls": calls,
        "answered": len(timed),
        "sim_cpu_us_per_call": round(cpu * 1e6 / max(1, calls), 1),
        "over_configured_p50_ms": round(percentile(over, 0.5), 2) if over else None,
        "over_configured_p99_ms": round(percentile(over, 0.99), 2) if over else None,
    }


def main() -> None:
    args = ab_arguments(__doc__, base_port=0)
    ports = itertools.count(args.base_port) if args.base_port else iter(free_port, None)
    os.sched_setaffinity(0, {0})
    asyncio.set_event_loop(uvloop.new_event_loop())
    loop = asyncio.get_event_loop()
    trees = {"old": args.old_tree, "new": None}
    with ExitStack() as running:
        sims = {
            side: running.enter_context(running_sim(next(ports), next(ports), tree))
            for side, tree in trees.items()
        }
        connectors = {}
        for side, sim in sims.items():
            sim.fix_latencies()
            connectors[side] = loop.run_until_complete(_connected(sim))
            _turn(sim, connectors[side], args.rate, WARMUP_S)
        results = in_turns(
            list(sims),
            args.turns,
            lambda side: _turn(sims[side], connectors[side], args.rate, args.seconds),
        )
        for side_connectors in connectors.values():
            for connector in side_connectors.values():
                loop.run_until_complete(connector.close())
    keys = ("sim_cpu_us_per_call", "over_configured_p50_ms", "over_configured_p99_ms", "load1")
    summary = {
        side: {
            k: round(statistics.median(t[k] for t in turns if t[k] is not None), 2) for k in keys
        }
        for side, turns in results.items()
    }
    print(json.dumps({"rate": args.rate, "medians": summary}), flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps({"turns": results, "medians": summary}, indent=1) + "\n")


if __name__ == "__main__":
    main()
