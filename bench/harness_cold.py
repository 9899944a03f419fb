"""Cold search: uncached searches at a fixed arrival rate, airlines at known, fixed latencies.

Every sim airline answers in exactly its latency below (no jitter), `cache=false` makes every
search ask the airlines, and the open-loop generator (`bench.open_loop`) sends at a fixed rate,
measuring from each request's intended send time. Skyfare's own cost is the latency minus the
slowest airline's latency (DESIGN: p50 ≤ +5 ms, p99 ≤ +20 ms); "minus the slowest connector"
subtracts what Skyfare measured for that search instead (the sim's own work counts as airline).

Each rate of `Plan.cold_rates` (issue 18: 40/s and 200/s, ≤ +3 / +12 ms at both) is measured
on its own: one `Cold` per rate, each rate's runs after a warm-up at that rate. Before each run
the stack's Redis saves its snapshot (`snapshot_before_run`), so its schedule does not fork a
child onto the server core mid-run; each run counts Redis's forks all the same.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack

import redis
import uvloop

from bench import open_loop
from bench.harness_stack import (
    Stack,
    display,
    redis_url,
    reset_sim,
    server_cpu,
    set_sim_latency,
)
from bench.machine import pin, self_cpu_seconds
from bench.placement import consumers_on, consumers_placement
from bench.report import Cold, ToolCpu
from bench.stats import median_of, percentile

# Distinct on purpose: the slowest of the airlines a search asked is a known number.
AIRLINE_LATENCY_MS: dict[str, float] = {
    "britannia": 40.0,
    "liberty": 50.0,
    "hansa": 45.0,
    "globetrotter": 60.0,
    "nordic": 55.0,
    "crimson": 70.0,
}
ROUTE = ("LHR", "JFK")
TARGET_P50_OVER_MS = 5.0
TARGET_P99_OVER_MS = 20.0
WARMUP_S = 2.0


def url_template(stack: Stack) -> str:
    origin, destination = ROUTE
    return (
        f"{stack.url}/v1/search?origin={origin}&destination={destination}"
        "&departure_date={date}&cache=false"
    )


def measure(
    stack: Stack,
    *,
    rates: Sequence[float],
    duration_s: float,
    runs: int,
    server_cores: list[int],
    loadgen_cores: list[int],
    pinned: bool,
    consumers_apart: bool = True,
    workers: int = 1,
) -> tuple[list[Cold], list[str]]:
    """One `Cold` per rate, the rates one after the other, each after a warm-up at its rate.
    Not in turns: a rate the server cannot keep up with can open the airlines' circuit breakers
    and leave them open into the next run, and the lower rate would pay for the higher.

    `consumers_apart` (when pinned): the notification worker, the analytics consumer (which
    loads each search's usage event) and the supervisor on the load generator's cores, as the
    booking step places them: no search waits for them, and each is its own Deployment in
    production (bench/placement.py). PostgreSQL and Redis stay on the server core."""
    apart = consumers_apart and pinned and loadgen_cores != server_cores
    placed: list[str] = []
    set_sim_latency(stack, AIRLINE_LATENCY_MS)
    try:
        with ExitStack() as moved:
            if apart:
                placed = moved.enter_context(consumers_on(stack, workers, loadgen_cores))
            template = url_template(stack)
            results = {rate: _runs(stack, template, rate, duration_s, runs) for rate in rates}
    finally:
        reset_sim(stack)
    placement = consumers_placement(
        server_cores,
        loadgen_cores,
        apart=apart,
        pinned=pinned,
        waits="a search",
        clients="the open-loop generator",
    )
    colds = [_cold(rate, duration_s, *results[rate], placement) for rate in rates]
    commands = [
        *stack.command,
        *_profiles(stack),
        *placed,
        *(_generator(template, rate, duration_s, loadgen_cores, pinned) for rate in rates),
        f"curl -s -X POST {stack.sim_url}/_sim/reset",
    ]
    return colds, commands


def _runs(
    stack: Stack, template: str, rate: float, duration_s: float, runs: int
) -> tuple[list[dict[str, float]], dict[str, float], dict[str, float]]:
    """A warm-up and `runs` runs at `rate`: each run's figures, the generator's CPU and wall
    time, and the stack's processes' CPU over the runs."""
    _run(template, open_loop.schedule(rate, WARMUP_S))  # pools, connections, breakers
    results: list[dict[str, float]] = []
    cpu = {"wall": 0.0, "self": 0.0}
    server: dict[str, float] = {}
    for _ in range(runs):
        saved = snapshot_before_run(stack)
        forks = redis_forks(stack)
        started, before, own = time.monotonic(), stack.cpu(), self_cpu_seconds()
        samples = _run(template, open_loop.schedule(rate, duration_s))
        forked = redis_forks(stack)
        cpu["self"] += self_cpu_seconds() - own
        cpu["wall"] += time.monotonic() - started
        for name, value in stack.cpu().items():
            server[name] = server.get(name, 0.0) + value - before.get(name, 0)
        run = figures(samples, duration_s)
        if forks is not None and forked is not None:
            run["redis_forks"] = forked - forks
        run["snapshot_before"] = float(saved)
        results.append(run)
    return results, cpu, server


def _cold(
    rate: float,
    duration_s: float,
    results: list[dict[str, float]],
    cpu: dict[str, float],
    server: dict[str, float],
    placement: str,
) -> Cold:
    wall_s = round(cpu["wall"], 2)
    return Cold(
        route="-".join(ROUTE),
        rate=rate,
        duration_s=duration_s,
        airline_latency_ms=dict(AIRLINE_LATENCY_MS),
        slowest_airline_ms=max(AIRLINE_LATENCY_MS.values()),
        target_p50_over_ms=TARGET_P50_OVER_MS,
        target_p99_over_ms=TARGET_P99_OVER_MS,
        runs=results,
        median=median_of(results),
        cpu=[
            ToolCpu(
                "open-loop generator (load generator)", round(cpu["self"], 2), round(wall_s, 2)
            ),
            *server_cpu({}, server, wall_s),
        ],
        placement=placement,
    )


def redis_forks(stack: Stack) -> int | None:
    """How many times the stack's Redis has forked (`INFO stats` total_forks), None if it cannot
    be read. A fork is a snapshot (`save`'s "10000 changes in 60 seconds" at 200/s) or an AOF
    rewrite: its child serialises the whole dataset on Redis's core, the server core here, and
    a run it falls in has a longer tail (bench/results/2026-12-07-cold-redis-fork.md)."""
    try:
        client = redis.Redis.from_url(redis_url(stack), socket_timeout=5)
        try:
            return int(client.info("stats")["total_forks"])
        finally:
            client.close()
    except (redis.RedisError, OSError, KeyError, ValueError):
        return None


def snapshot_before_run(stack: Stack, *, patience_s: float = 60.0) -> bool:
    """Have the stack's Redis save its snapshot now, before a run, and wait until it has: with
    redis-server's `save ... 60 10000` the next one is then at least 60 s away, after the run.

    Here Redis shares the server core with the API worker (a search waits for it), so a
    snapshot's child, forked mid-run, takes that core from searches for as long as it writes
    the dataset (bench/results/2026-12-07-cold-redis-fork.md). In a deployment Redis has its own
    machine and its snapshots take nothing from the search deployable's; saving between runs
    keeps Redis's schedule out of the figure without changing what Redis is configured to do.
    False when the snapshot could not be had (the run's fork count then says whether one fell
    in it)."""
    try:
        client = redis.Redis.from_url(redis_url(stack), socket_timeout=5)
    except (redis.RedisError, OSError, ValueError):
        return False
    try:
        with contextlib.suppress(redis.ResponseError):  # one is running already: wait for it
            client.bgsave()
        deadline = time.monotonic() + patience_s
        while time.monotonic() < deadline:
            persistence = client.info("persistence")
            if not persistence["rdb_bgsave_in_progress"]:
                return bool(persistence["rdb_last_bgsave_status"] == "ok")
            time.sleep(0.05)
        return False
    except (redis.RedisError, OSError, KeyError):
        return False
    finally:
        client.close()


def _run(template: str, intended: list[float]) -> list[open_loop.Sample]:
    today = open_loop.today_utc()
    return uvloop.run(open_loop.run(lambda i: open_loop.expand(template, i, today), intended))


def figures(samples: list[open_loop.Sample], duration_s: float) -> dict[str, float]:
    """The open-loop summary plus Skyfare's own share: over the slowest airline (as configured
    for the airlines the search asked) and over the slowest connector (as Skyfare measured)."""
    result = open_loop.summarize(samples, duration_s)
    if "p50" not in result:
        return result
    slowest = max(AIRLINE_LATENCY_MS.values())
    result["p50_over_slowest_airline_ms"] = round(result["p50"] - slowest, 2)
    result["p99_over_slowest_airline_ms"] = round(result["p99"] - slowest, 2)
    over = [
        s.latency_ms - s.slowest_connector_ms
        for s in samples
        if s.status == 200 and s.slowest_connector_ms is not None
    ]
    if over:
        result["p50_over_slowest_connector_ms"] = round(percentile(over, 0.5), 2)
        result["p99_over_slowest_connector_ms"] = round(percentile(over, 0.99), 2)
    return result


def _profiles(stack: Stack) -> list[str]:
    return [
        f"curl -s -X PUT {stack.sim_url}/_sim/airlines/{slug}/profile "
        f'-d \'{{"latency_ms": {ms:g}, "latency_sigma": 0}}\''
        for slug, ms in AIRLINE_LATENCY_MS.items()
    ]


def _generator(
    template: str, rate: float, duration_s: float, cores: list[int], pinned: bool
) -> str:
    generator = pin([sys.executable, "-m", "bench.open_loop"], cores, enabled=pinned)
    return display(
        [*generator, "--rate", f"{rate:g}", "--duration", f"{duration_s:g}", "--url", template]
    )
