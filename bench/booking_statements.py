"""Every statement PostgreSQL runs per order, API beside the raw loop (issue 18's booking row).

    python -m bench.booking_statements --database-url "postgresql://postgres@/bench?host=…&port=…"
                                       [--seconds 10] [--concurrency 16] [--out FILE.json]

`--database-url` must name a PostgreSQL that loads `pg_stat_statements` (`shared_preload_libraries`;
the embedded pgserver build has no contrib modules) in a database of its own. Starts
`skyfare up --workers 1` on that database, pinned as the harness's booking step pins it (the
stack on the server core with the raw loop, the sim and the API clients on the load generator's,
every sim airline at 0 ms), then, for each side in turn, resets `pg_stat_statements`, runs
`bench.booking_rate api` or `raw` and reads the statistics back: every statement PostgreSQL ran
during the side's run — the API's own and the background's (outbox relay, notification worker,
sweepers) — with its calls per order attempt and per order made, and its execution time.
PostgreSQL's CPU per order (the postmaster's whole tree, `/proc`) comes from the same run's
measured window (`bench.booking_rate --cpu`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg

from bench.harness_stack import cpu_pids, reset_sim, running_stack, set_sim_latency, sim_airlines
from bench.machine import available_cpus, pin, plan_cores

STATS = """
SELECT query, calls, plans, rows, total_exec_time, total_plan_time, wal_records, wal_bytes
FROM pg_stat_statements JOIN pg_database d ON d.oid = dbid WHERE d.datname = current_database()
ORDER BY total_exec_time DESC"""


async def _sql(dsn: str, query: str) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(dsn, statement_cache_size=0)
    try:
        return [dict(r) for r in await conn.fetch(query)]
    finally:
        await conn.close()


async def _postmaster(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        backend = await conn.fetchval("SELECT pg_backend_pid()")
        return _parent(backend)  # read while the backend lives
    finally:
        await conn.close()


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def side_run(command: list[str]) -> tuple[dict[str, float], list[dict[str, Any]]]:
    dsn = os.environ["DATABASE_URL"]
    asyncio.run(_sql(dsn, "SELECT pg_stat_statements_reset()"))
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    return figures, asyncio.run(_sql(dsn, STATS))


def table(figures: dict[str, float], rows: list[dict[str, Any]], limit: int = 40) -> str:
    attempts = figures["attempts_total"]
    # Calls per order made: per attempt ÷ the share of the window's attempts that made one.
    outcomes = sum(v for k, v in figures.items() if k.startswith("outcome_"))
    ok = attempts * figures.get("outcome_ok", 0.0) / outcomes if outcomes else 0.0
    lines = [
        "| statement | calls/attempt | calls/order made | exec ms/call | exec ms/attempt"
        " | rows/call | plans |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows[:limit]:
        text = " ".join(r["query"].split())
        text = text if len(text) <= 110 else text[:107] + "…"
        per_call = r["total_exec_time"] / max(r["calls"], 1)
        lines.append(
            f"| `{text.replace('|', '¦')}` | {r['calls'] / attempts:.3f} | "
            f"{r['calls'] / ok if ok else 0:.3f} | {per_call:.4f} | "
            f"{r['total_exec_time'] / attempts:.4f} | {r['rows'] / max(r['calls'], 1):.1f} | "
            f"{r['plans']} |"
        )
    total_exec = sum(r["total_exec_time"] for r in rows)
    total_calls = sum(r["calls"] for r in rows)
    lines.append(
        f"| **all {len(rows)} statements** | {total_calls / attempts:.2f} | "
        f"{total_calls / ok if ok else 0:.2f} | | {total_exec / attempts:.4f} | | |"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--skyfare", help="another checkout's skyfare CLI (default: this one's)")
    # The first API run also pays for the pool's new connections (asyncpg's type introspection):
    # a second one, as the harness's later turns do, shows the steady state.
    parser.add_argument("--sides", default="api,api,raw")
    parser.add_argument("--out", type=Path, help="the figures and statistics as JSON")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url  # the stack's, and the raw loop's
    server, loadgen = plan_cores(available_cpus(), 1)
    pinned = server != loadgen
    postmaster = asyncio.run(_postmaster(args.database_url))
    python = [sys.executable, "-m", "bench.booking_rate"]
    common = ["--seconds", f"{args.seconds:g}", "--concurrency", str(args.concurrency)]
    result: dict[str, Any] = {}
    with running_stack(1, server, pinned=pinned, sim_cores=loadgen, skyfare=args.skyfare) as stack:
        pids = {**cpu_pids(stack), "postgresql": [postmaster]}
        cpu = [a for k, p in pids.items() for a in ("--cpu", f"{k}={'+'.join(map(str, p))}")]
        set_sim_latency(stack, dict.fromkeys(sim_airlines(stack), 0.0))
        try:
            for turn, side in enumerate(args.sides.split(",")):
                if side == "api":
                    command = pin(
                        [*python, "api", "--url", stack.url, "--sim-url", stack.sim_url,
                         *common, *cpu],
                        loadgen, enabled=pinned,
                    )  # fmt: skip
                else:
                    only_pg = ["--cpu", f"postgresql={postmaster}"]
                    command = pin(
                        [*python, "raw", "--database-url", args.database_url, *common, *only_pg],
                        server, enabled=pinned,
                    )  # fmt: skip
                figures, rows = side_run(command)
                figures["seconds"] = args.seconds
                result[f"{turn} {side}"] = {"figures": figures, "statements": rows}
                shown = f"## {turn} {side}\n\n{json.dumps(figures)}\n\n{table(figures, rows)}\n"
                print(shown, flush=True)
        finally:
            reset_sim(stack)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
