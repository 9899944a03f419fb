"""Notification throughput, end to end: outbox rows → relay → stream → worker → SMTP + SMS.

Starts `skyfare sim` (the HTTP sim with its SMS provider, and the SMTP sink) and, per run, one
`skyfare worker`, as real processes on loopback. This process plays the API process: it runs one
`OutboxRelay` (booking/relay.py) over its own schema and inserts `--events` outbox rows of
`order.held` events (each: one email and one SMS) in transactions of `--per-tx` rows, then times
until the sim holds every mail and every SMS. Reports, per run and as medians:

- end to end: events/s from the first insert to the last SMS and mail in the sinks;
- relay: events/s from the first insert until every row is marked published.

Each run uses a fresh stream (and so a fresh consumer group). DATABASE_URL / REDIS_URL are used
when set, else embedded servers under a temporary directory. Writes
`bench/results/<date>-notify-throughput.json` and prints a Markdown summary.

On a shared machine the wall clock moves with the neighbours' load, so a change is measured
against its base in the same run: `--tree base=/path/to/old/checkout --tree this=.` runs the
worker and the sim (SMTP sink, SMS provider) from each source tree in turn (base, this, base,
this, …), the relay, Redis and PostgreSQL shared, and reports each tree's medians and their ratio
to the first tree's.
The worker's CPU per event is reported beside the wall clock: it moves far less with the load.
`--profile DIR` attaches py-spy to each worker and writes a speedscope profile per run (py-spy
costs the worker some time: profile in runs of their own, not in the ones you compare).

    python -m bench.notify_throughput [--events 2000] [--runs 3] [--batch-size 50] [--per-tx 100]
        [--tree LABEL=PATH ...] [--profile DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import sys
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import msgspec
import redis.asyncio as redis

from bench.machine import move_process
from bench.notify_pipeline import Sim, Tree, one_run, skyfare
from bench.processes import free_port, shared_servers
from skyfare.migrations import migrate
from skyfare.settings import Settings

RESULTS = Path(__file__).parent / "results"
Sims = dict[str, tuple[dict[str, str], int]]  # tree label → (its sim's env, the sim's pid)


async def bench_runs(
    args: argparse.Namespace,
    settings: Settings,
    sims: Sims,
    trees: list[Tree],
    *,
    worker_cores: list[int] | None = None,
) -> dict[str, list[dict[str, float]]]:
    """Each tree's runs, against the sim run from that tree: {label: (its env, its pid)};
    `args` holds `events`, `runs`, `per_tx` (and `batch_size`, already in each sim's env)."""
    assert settings.database_url is not None
    assert settings.redis_url is not None
    schema = f"bench_notify_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(settings.database_url)
    await admin.execute(f"CREATE SCHEMA {schema}")
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=5)
    try:
        async with (
            asyncpg.create_pool(
                settings.database_url,
                min_size=1,
                max_size=4,
                server_settings={"search_path": schema},
            ) as pool,
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
        ):
            await migrate(pool, timeout=60)
            handles = {}
            for label, (env, _) in sims.items():
                handles[label] = Sim(f"http://127.0.0.1:{env['SKYFARE_SIM_PORT']}", 0, session)
                await handles[label].wait_ready()
            runs: dict[str, list[dict[str, float]]] = {tree.label: [] for tree in trees}
            # Interleaved (base, this, base, this, …): a change in the machine's load hits both.
            for number in range(1, args.runs + 1):
                for tree in trees:
                    env, sim_pid = sims[tree.label]
                    sim = handles[tree.label]
                    run = await one_run(
                        args, env, pool, client, sim, sim_pid, tree, worker_cores=worker_cores
                    )
                    print(f"run {number} {tree.label}: {json.dumps(run)}", flush=True)
                    runs[tree.label].append(run)
            return runs
    finally:
        await client.aclose()
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


FIGURES = (
    "end_to_end_events_per_s",
    "relay_events_per_s",
    "worker_cpu_ms_per_event",
    "sim_cpu_ms_per_event",
)


def _summary(
    args: argparse.Namespace, trees: list[Tree], runs: dict[str, list[dict[str, float]]]
) -> dict[str, Any]:
    medians = {
        label: {key: round(statistics.median(run[key] for run in found), 3) for key in FIGURES}
        for label, found in runs.items()
    }
    first = medians[trees[0].label]
    summary: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        },
        "command": "python -m bench.notify_throughput " + " ".join(sys.argv[1:]),
        "events": args.events,
        "worker_batch_size": args.batch_size,
        "per_tx": args.per_tx,
        "trees": {tree.label: str(tree.path) for tree in trees},
        "medians": medians,
        # Each tree's median over the first tree's: > 1 is faster for events/s, cheaper < 1 for CPU.
        "ratios_to_first": {
            label: {key: round(m[key] / first[key], 3) if first[key] else 0.0 for key in FIGURES}
            for label, m in medians.items()
        },
        "runs": runs,
    }
    return summary


def _trees(args: argparse.Namespace) -> list[Tree]:
    specs = args.tree or [f"this={Path(__file__).parent.parent}"]
    trees = []
    for spec in specs:
        label, _, path = spec.partition("=")
        profile = Path(args.profile) if args.profile else None
        trees.append(Tree(label, Path(path or ".").resolve(), profile))
    return trees


def _table(summary: dict[str, Any]) -> str:
    lines = [
        "| tree | end to end (events/s) | ratio | worker CPU (ms/event) | ratio "
        "| sim CPU (ms/event) | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, m in summary["medians"].items():
        r = summary["ratios_to_first"][label]
        lines.append(
            f"| {label} | {m['end_to_end_events_per_s']} | {r['end_to_end_events_per_s']} "
            f"| {m['worker_cpu_ms_per_event']} | {r['worker_cpu_ms_per_event']} "
            f"| {m['sim_cpu_ms_per_event']} | {r['sim_cpu_ms_per_event']} |"
        )
    return "\n".join(lines)


@contextlib.contextmanager
def pipeline(
    base: Mapping[str, str], batch_size: int, trees: list[Tree], sim_cores: list[int] | None = None
) -> Iterator[tuple[Settings, Sims]]:
    """PostgreSQL and Redis (DATABASE_URL / REDIS_URL in `base`, else embedded ones under a
    temporary directory) and one `skyfare sim` per tree (moved to `sim_cores` when given), all
    stopped when the block ends; the settings and each tree's sim: {label: (its env, its pid)}."""
    with (
        shared_servers(base, prefix="skyfare-bench-") as (settings, tmp),
        contextlib.ExitStack() as stack,
    ):
        assert settings.redis_url is not None
        env = {
            **base,
            "REDIS_URL": settings.redis_url,
            "SKYFARE_DATA_DIR": tmp,
            "SKYFARE_LOG_LEVEL": "WARNING",
            "SKYFARE_NOTIFY_BATCH_SIZE": str(batch_size),
            "SKYFARE_NOTIFY_METRICS_PORT": "0",
        }
        # One sim per tree, run from that tree: the SMTP sink and SMS provider are part of
        # what the end-to-end figure measures, and may have changed too.
        sims = {}
        for tree in trees:
            tree_env = {
                **env,
                "SKYFARE_SIM_PORT": str(free_port()),
                "SKYFARE_SIM_SMTP_PORT": str(free_port()),
            }
            sim = stack.enter_context(skyfare(["sim"], tree_env, tree.path))
            if sim_cores:
                move_process(sim.pid, sim_cores)
            sims[tree.label] = (tree_env, sim.pid)
        yield settings, sims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3, help="runs per tree")
    parser.add_argument("--batch-size", type=int, default=50, help="SKYFARE_NOTIFY_BATCH_SIZE")
    parser.add_argument("--per-tx", type=int, default=100, help="outbox rows per transaction")
    parser.add_argument(
        "--tree", action="append", help="LABEL=PATH: run the worker from this source tree"
    )
    parser.add_argument("--profile", help="write a py-spy speedscope profile per run here")
    args = parser.parse_args()
    trees = _trees(args)
    with pipeline(os.environ, args.batch_size, trees) as (settings, sims):
        runs = asyncio.run(bench_runs(args, settings, sims, trees))
    summary = _summary(args, trees, runs)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{summary['date']}-notify-throughput.json"
    out.write_bytes(msgspec.json.format(msgspec.json.encode(summary)) + b"\n")
    print(f"\n{args.events} events, medians of {args.runs} runs per tree\n\n{_table(summary)}")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
