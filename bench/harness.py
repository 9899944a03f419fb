"""`make bench`: every benchmark of docs/architecture.md in one run, on one stack, exact commands.

    python -m bench.harness [--quick] [--workers 1] [--runs N]
                            [--only ceiling,bulk,cold,booking,mixed,usage,notify,rss]

Starts `skyfare up --workers N` (embedded PostgreSQL/Redis unless DATABASE_URL / REDIS_URL are
set) in a temp dir, pins it to the server cores and this process (with every load generator it
starts) to the others, then measures, in order:

1. ceiling — wrk against cached GET /v1/search and a bare aiohttp handler with the same bytes,
   and (issue 18) cached POST /v1/search, and cached GET on a second stack of 2 workers;
   bulk — POST /v1/fares/bulk of 1000 cached queries: time to its first and last line;
2. cold — uncached searches at fixed arrival rates (open loop: 40/s, then 200/s),
   airlines at known latencies;
3. booking — POST /v1/orders (hold) orders/s beside a raw asyncpg loop writing the same rows;
4. mixed — the locust scenario (bench/locustfile.py) for a fixed duration;
5. usage — cached GET /v1/search with usage events on ÷ off, two servers of its own side by side
   (bench/harness_usage.py; on DATABASE_URL / REDIS_URL, else on embedded servers of its own);
6. notify — notifications end to end for one worker: outbox rows → relay → stream → `skyfare
   worker` → the sim's SMTP sink and SMS provider, on services of its own (bench/harness_notify.py):
   events/s, the worker's CPU per event, and exactly once (each sink's count once all is acked);
7. rss — each API worker's RSS while the locust mix runs for 10 minutes (`--quick`: 1), on the
   stack: after the warm-up, at the end, the slopes, "flat" by a stated rule, and the L1's bytes
   against its byte bound (bench/harness_rss.py).

Writes `bench/results/<date>-<short sha>[-quick].json`, a Markdown summary (`.md`) and two PNG
plots beside it, and prints the summary: first issue 18's table (`bench/issue18.py`: every
target with this run's figure and whether it is met, "not measured in this run" where its part
did not run), then the change against the last committed result (`bench/compare.py`). A
measurement that cannot run (wrk missing, the service has no orders endpoint yet) is recorded as
skipped with its reason; one that fails too, and the exit status is then 1. The stack is
stopped on success, failure and Ctrl-C alike.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import msgspec

from bench import (
    compare,
    harness_booking,
    harness_bulk,
    harness_ceiling,
    harness_cold,
    harness_notify,
    harness_rss,
    harness_usage,
    mixed,
    plots,
    summary,
    traffic,
)
from bench.harness_stack import Stack, display, partner_key, running_stack
from bench.machine import available_cpus, describe, plan_cores, short_sha
from bench.report import Result, Skipped, encode

RESULTS = Path(__file__).parent / "results"
MEASUREMENTS = ("ceiling", "bulk", "cold", "booking", "mixed", "usage", "notify", "rss")
# Where a step's figures go in the `Result`, when not under its own name.
_FIELDS = {"cold": "cold_by_rate"}


@dataclass(frozen=True)
class Plan:
    runs: int
    ceiling_turns: int = 5
    ceiling_seconds: int = 6
    ceiling_two_workers: bool = True
    ceiling_dependencies_apart: bool = True  # bench/placement.py
    booking_consumers_apart: bool = True  # bench/placement.py
    cold_consumers_apart: bool = True  # bench/placement.py
    bulk_requests: int = 20
    wrk_connections: int = 64
    cold_rates: tuple[float, ...] = (40.0, 200.0)  # issue 18: both
    cold_seconds: float = 20.0
    booking_seconds: float = 10.0
    booking_concurrency: int = 16
    mixed_users: int = 100
    mixed_spawn_rate: float = 50.0
    mixed_seconds: int = 45
    warm_days: int = traffic.POPULAR_DAYS
    usage_turns: int = 5
    usage_seconds: int = 8
    notify_events: int = 2000
    notify_batch_size: int = 50
    notify_per_tx: int = 100
    rss_minutes: float = 10.0
    rss_users: int = 20
    rss_warmup_s: float = 120.0
    rss_every_s: float = 10.0
    rss_window_s: float = 300.0  # "flat" is judged over the last 5 minutes


FULL = Plan(runs=3)
QUICK = Plan(
    runs=1,
    ceiling_turns=2,
    ceiling_seconds=3,
    bulk_requests=5,
    cold_seconds=6.0,
    booking_seconds=4.0,
    mixed_users=50,
    mixed_seconds=12,
    usage_turns=3,
    usage_seconds=4,
    notify_events=500,
    rss_minutes=1.0,
    rss_warmup_s=20.0,
    rss_every_s=2.0,
    rss_window_s=30.0,
)


class _Stop(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: every context unwinds and the stack is stopped."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def _measure(args: argparse.Namespace, plan: Plan) -> Result:
    started_at, started = dt.datetime.now(dt.UTC), time.monotonic()
    sha = short_sha()  # of the code measured: a commit made meanwhile does not rename the run
    server_cores, loadgen_cores = plan_cores(available_cpus(), args.workers)
    pinned = server_cores != loadgen_cores and shutil.which("taskset") is not None
    if not pinned:
        loadgen_cores = server_cores
    machine = describe(server_cores, loadgen_cores, loadgen_cores)
    found: dict[str, Any] = {}
    commands: dict[str, list[str]] = {}
    skipped: list[Skipped] = []
    with running_stack(
        args.workers, server_cores, pinned=pinned, sim_cores=loadgen_cores, port_base=args.port_base
    ) as stack:
        if pinned:
            os.sched_setaffinity(0, loadgen_cores)  # wrk, locust and the generators inherit it
        cores = {"server_cores": server_cores, "loadgen_cores": loadgen_cores, "pinned": pinned}
        steps = _steps(stack, plan, args.workers, cores)
        for name in args.only:
            print(f"bench: {name} …", file=sys.stderr, flush=True)
            try:
                figures, commands[name] = steps[name]()
                if name == "ceiling":
                    found["ceiling"], found["ceilings"] = figures
                else:
                    found[_FIELDS.get(name, name)] = figures
            except harness_booking.Unavailable as exc:
                skipped.append(Skipped(name, str(exc)))
            except (RuntimeError, OSError, ValueError, KeyError, subprocess.SubprocessError) as exc:
                # Recorded and the run goes on: one failed step (a `skyfare warm` that timed
                # out on a busy machine) must not lose the figures the others measured.
                traceback.print_exc()
                skipped.append(Skipped(name, f"failed: {exc!r}"[:500]))
    machine = msgspec.structs.replace(
        machine, load_average_after=[round(x, 2) for x in os.getloadavg()]
    )
    return Result(
        date=started_at.date().isoformat(),
        started_at=started_at.isoformat(timespec="seconds"),
        sha=sha,
        quick=args.quick,
        command=_command(),
        machine=machine,
        commands=commands,
        skipped=skipped,
        wall_s=round(time.monotonic() - started, 1),
        **found,
    )


def _steps(
    stack: Stack, plan: Plan, workers: int, cores: dict[str, Any]
) -> dict[str, Callable[[], tuple[Any, list[str]]]]:
    loadgen = {"loadgen_cores": cores["loadgen_cores"], "pinned": cores["pinned"]}
    both = {"server_cores": cores["server_cores"], **loadgen}
    return {
        "ceiling": lambda: harness_ceiling.measure(
            stack,
            workers=workers,
            turns=plan.ceiling_turns,
            seconds=plan.ceiling_seconds,
            connections=plan.wrk_connections,
            two_workers=plan.ceiling_two_workers,
            dependencies_apart=plan.ceiling_dependencies_apart,
            **both,
        ),
        "bulk": lambda: harness_bulk.measure(stack, runs=plan.runs, requests=plan.bulk_requests),
        "cold": lambda: harness_cold.measure(
            stack,
            rates=plan.cold_rates,
            duration_s=plan.cold_seconds,
            runs=plan.runs,
            consumers_apart=plan.cold_consumers_apart,
            workers=workers,
            **both,
        ),
        "booking": lambda: harness_booking.measure(
            stack,
            seconds=plan.booking_seconds,
            concurrency=plan.booking_concurrency,
            runs=plan.runs,
            consumers_apart=plan.booking_consumers_apart,
            **both,
        ),
        "mixed": lambda: _mixed(stack, plan, loadgen),
        "usage": lambda: harness_usage.measure(
            turns=plan.usage_turns, seconds=plan.usage_seconds, connections=plan.wrk_connections
        ),
        "notify": lambda: harness_notify.measure(
            events=plan.notify_events,
            runs=plan.runs,
            batch_size=plan.notify_batch_size,
            per_tx=plan.notify_per_tx,
            **both,
        ),
        "rss": lambda: harness_rss.measure(
            stack,
            users=plan.rss_users,
            minutes=plan.rss_minutes,
            warmup_s=plan.rss_warmup_s,
            every_s=plan.rss_every_s,
            window_s=plan.rss_window_s,
            **loadgen,
        ),
    }


def _mixed(stack: Stack, plan: Plan, loadgen: dict[str, Any]) -> tuple[Any, list[str]]:
    """A partner key without a practical rate limit, the popular routes warmed, then locust."""
    key = partner_key(stack)
    routes = stack.data_dir / "routes.txt"
    routes.write_text("".join(f"{o} {d}\n" for o, d in traffic.POPULAR))
    warm = ["warm", "--routes", "routes.txt", "--days", str(plan.warm_days), "--url", stack.url]
    stack.cli(*[str(routes) if a == "routes.txt" else a for a in warm], "--key", key)
    result, commands = mixed.measure(
        stack,
        users=plan.mixed_users,
        spawn_rate=plan.mixed_spawn_rate,
        seconds=plan.mixed_seconds,
        runs=plan.runs,
        partner_key=key,
        **loadgen,
    )
    prepare = [
        "PARTNER_KEY=$(.venv/bin/skyfare partners create --name bench --rate 1000000/s)",
        "printf '" + "\\n".join(f"{o} {d}" for o, d in traffic.POPULAR) + "\\n' > routes.txt",
        display([".venv/bin/skyfare", *warm, "--key", "$PARTNER_KEY"]),
    ]
    return result, [*commands[:-1], *prepare, commands[-1]]


def _command() -> str:
    return display([sys.executable, "-m", "bench.harness", *sys.argv[1:]])


def write(result: Result, directory: Path) -> tuple[Path, str]:
    """The JSON, the plots and the Markdown summary; the summary's path and text."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = directory / f"{result.date}-{result.sha}{'-quick' if result.quick else ''}"
    stem.with_suffix(".json").write_bytes(encode(result))
    pngs = plots.draw(result, stem)
    text = summary.render(result, plots=[p.name for p in pngs])
    markdown = stem.with_suffix(".md")
    markdown.write_text(text)
    return markdown, text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="one short run of each: a few minutes")
    parser.add_argument("--workers", type=int, default=1, help="API processes (and baseline's)")
    parser.add_argument("--runs", type=int, help="runs of each measurement (default 3, quick 1)")
    parser.add_argument(
        "--only", default=",".join(MEASUREMENTS), help="comma-separated: " + ",".join(MEASUREMENTS)
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where results are written")
    parser.add_argument(
        "--port-base",
        type=int,
        help="the stack listens on this port and the 3 after it (default: free ports)",
    )
    parser.add_argument(
        "--one-worker-only",
        action="store_true",
        help="ceiling: skip the second stack of 2 workers (a 1-core machine has no second core)",
    )
    parser.add_argument(
        "--dependencies-on-server-cores",
        action="store_true",
        help="leave the stack's dependencies on the API worker's cores: for the ceiling rows "
        "PostgreSQL, Redis, the notification worker and the analytics consumer (moved since "
        "2026-12-04), for booking and cold search the worker and the consumer (moved since 93a443b "
        "and since 2026-12-07)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.only = [name for name in args.only.split(",") if name]
    if unknown := set(args.only) - set(MEASUREMENTS):
        _parser().error(f"--only: unknown {', '.join(sorted(unknown))}")
    plan = QUICK if args.quick else FULL
    if args.runs:
        plan = dataclasses.replace(plan, runs=args.runs)
    if args.one_worker_only:
        plan = dataclasses.replace(plan, ceiling_two_workers=False)
    if args.dependencies_on_server_cores:
        plan = dataclasses.replace(
            plan,
            ceiling_dependencies_apart=False,
            booking_consumers_apart=False,
            cold_consumers_apart=False,
        )
    signal.signal(signal.SIGTERM, _on_sigterm)
    # Every child (the stack, locust, the generators) runs this checkout's code, whatever the
    # current directory and however the package was installed.
    root = str(Path(__file__).resolve().parent.parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    try:
        result = _measure(args, plan)
    except KeyboardInterrupt:
        print("bench: interrupted; the stack was stopped", file=sys.stderr)
        return 130
    path, text = write(result, args.out)
    print(text)
    print(f"bench: written {path} (+ .json, plots)", file=sys.stderr)
    previous = compare.last_committed(exclude=path.with_suffix(".json"))
    if previous is not None:
        old = compare.load(previous)
        print(f"\n## Against the last committed result, {previous}\n")
        print(compare.render(old, result, compare.diff(old, result)))
    return 1 if any(s.reason.startswith("failed") for s in result.skipped) else 0


if __name__ == "__main__":
    sys.exit(main())
