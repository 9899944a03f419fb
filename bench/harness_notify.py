"""`make bench`'s notification step: events/s end to end for one notification worker.

The pipeline of bench/notify_throughput.py, on services of its own beside the harness's stack:
PostgreSQL and Redis (DATABASE_URL / REDIS_URL when set, else embedded ones), one `skyfare sim`
(the SMTP sink and the SMS provider: the outside world, on the load generator's cores) and, per
run, one `skyfare worker` (on the server's cores, with the embedded servers). This process plays
the API: it inserts `events` outbox rows of `order.held` events (one mail and one SMS each) and
runs the relay.

Per run: events/s from the first insert to the last message in the sinks, the relay's events/s,
the worker's and the sim's CPU per event (/proc: steadier than the wall clock on a shared
machine), and, once the worker has acked every entry (nothing can be sent again), the messages
each sink holds: exactly `events` of each in every run is "exactly once".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys

import aiohttp
import asyncpg
import redis

from bench.harness_stack import ROOT, display
from bench.machine import pin
from bench.notify_pipeline import Tree
from bench.notify_throughput import bench_runs, pipeline
from bench.report import Notify, ToolCpu

THIS = Tree("this", ROOT)
TARGET_EVENTS_PER_S = 1000.0
MEDIAN_KEYS = (
    "end_to_end_events_per_s",
    "relay_events_per_s",
    "worker_cpu_ms_per_event",
    "sim_cpu_ms_per_event",
    "end_to_end_s",
)


def measure(
    *,
    events: int,
    runs: int,
    batch_size: int,
    per_tx: int,
    server_cores: list[int],
    loadgen_cores: list[int],
    pinned: bool,
) -> tuple[Notify, list[str]]:
    args = argparse.Namespace(events=events, runs=runs, batch_size=batch_size, per_tx=per_tx)
    # The caller's SKYFARE_* settings are not passed on, as for the harness's stack.
    base = {k: v for k, v in os.environ.items() if not k.startswith("SKYFARE_")}
    sim_cores = loadgen_cores if pinned else None
    with contextlib.ExitStack() as running:
        own = os.sched_getaffinity(0)
        if pinned:  # embedded PostgreSQL and Redis, when they are started here, are the server's
            os.sched_setaffinity(0, server_cores)
        try:
            settings, sims = running.enter_context(pipeline(base, batch_size, [THIS], sim_cores))
        finally:
            os.sched_setaffinity(0, own)
        worker_cores = server_cores if pinned else None
        try:
            found = asyncio.run(bench_runs(args, settings, sims, [THIS], worker_cores=worker_cores))
        except (asyncpg.PostgresError, redis.RedisError, aiohttp.ClientError) as exc:
            # As a failure the harness records and goes on past, not one that ends the run.
            raise RuntimeError(f"the notification pipeline failed: {exc!r}") from exc
    notify = summarize(found[THIS.label], events=events, batch_size=batch_size, per_tx=per_tx)
    return notify, _commands(events, runs, batch_size, per_tx, loadgen_cores, pinned)


def summarize(runs: list[dict[str, float]], *, events: int, batch_size: int, per_tx: int) -> Notify:
    """The runs' medians, whether every run delivered each message exactly once, and the CPU."""
    wall = sum(r["end_to_end_s"] for r in runs)
    return Notify(
        events=events,
        batch_size=batch_size,
        per_tx=per_tx,
        runs=runs,
        median={k: round(statistics.median(r[k] for r in runs), 3) for k in MEDIAN_KEYS},
        exactly_once=bool(runs) and all(r["mails"] == r["sms"] == events for r in runs),
        target_events_per_s=TARGET_EVENTS_PER_S,
        cpu=[
            ToolCpu("notification worker", round(sum(r["worker_cpu_s"] for r in runs), 2), wall),
            ToolCpu("sim: SMTP sink + SMS", round(sum(r["sim_cpu_s"] for r in runs), 2), wall),
            ToolCpu(
                "relay + inserts (this process, the API's part)",
                round(sum(r["relay_and_inserts_cpu_s"] for r in runs), 2),
                wall,
            ),
        ],
    )


def _commands(
    events: int, runs: int, batch_size: int, per_tx: int, cores: list[int], pinned: bool
) -> list[str]:
    command = [sys.executable, "-m", "bench.notify_throughput", "--events", str(events)]
    command += ["--runs", str(runs), "--batch-size", str(batch_size), "--per-tx", str(per_tx)]
    return [
        "# what the harness runs in-process (the worker pinned to the server's cores, the sim to "
        "the load generator's), stand-alone:",
        display(pin(command, cores, enabled=pinned)),
    ]
