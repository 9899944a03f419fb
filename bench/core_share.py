"""Does a CPU burst beside the API worker on its core stretch the cold-search tail, and does a
lower scheduling class for the burst's process undo it? A model small enough to repeat in turns.

    python -m bench.core_share --core 0 --turns 4 --rows 2000000

A "server" process on `--core` gets work items at a fixed rate (`--rate`, default 200/s), each
`--cost-ms` of CPU (default 2.4: the API worker's CPU per cold search at 200/s in `make bench`,
0.48 of a core), and records how late each finishes after it arrived. Beside it on the same core,
per turn: nothing ("quiet"); the analytics consumer's export (`AnalyticsStore.export_days` of a
day of `--rows` search rows, what `make bench`'s earlier steps leave in the store) at normal
priority ("export"); the same export under SCHED_IDLE ("export-idle") or niced
("export-nice10": `os.nice(10)`, what skyfare/priority.py gives the consumer). Prints per turn each
mode's p50 / p99 / max lateness (ms) and the export's CPU seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import statistics
import tempfile
import time
from typing import Any

from analytics.rows import POSITION_TYPES, TABLES, columns
from analytics.store import AnalyticsStore


def _spin(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def serve(core: int, rate: float, cost_s: float, seconds: float, out: Any) -> None:
    """Open loop: item i arrives at i / rate; each is done after `cost_s` of this thread's CPU."""
    os.sched_setaffinity(0, {core})
    late: list[float] = []
    start = time.perf_counter() + 0.2
    for i in range(int(rate * seconds)):
        arrival = start + i / rate
        wait = arrival - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        _spin(cost_s)
        late.append((time.perf_counter() - arrival) * 1000)
    out.send(late)


def fill(directory: str, rows: int) -> AnalyticsStore:
    store = AnalyticsStore(directory)
    today = dt.date.today().isoformat()
    names = list(columns("searches"))
    kinds = (*POSITION_TYPES, *(k for _, k in TABLES["searches"]))
    fixed = {"stream": "'usage'", "stream_id": "i::VARCHAR || '-0'", "ms": "i", "seq": "0",
             "occurred_at": "now()::TIMESTAMP", "date": f"DATE '{today}'"}  # fmt: skip
    values = [
        fixed.get(n, "'x' || (i % 97)::VARCHAR" if k.startswith("VARCHAR") else f"(i % 1000)::{k}")
        for n, k in zip(names, kinds, strict=True)
    ]
    with store.session(write=True) as db:
        db.execute(
            f"INSERT INTO searches ({', '.join(names)}) SELECT {', '.join(values)}"
            f" FROM range({rows}) t(i)"
        )
    return store


def export(core: int, directory: str, mode: str, until: float, out: Any) -> None:
    os.sched_setaffinity(0, {core})
    if mode == "export-idle":
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    elif mode.startswith("export-nice"):
        os.nice(int(mode.removeprefix("export-nice")))
    store = AnalyticsStore(directory)
    cpu = time.process_time()
    while time.time() < until:
        store.export_days([dt.date.today()])
    out.send(time.process_time() - cpu)


def one(mode: str, args: argparse.Namespace, directory: str) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    got, sent = ctx.Pipe(duplex=False)
    burst_got, burst_sent = ctx.Pipe(duplex=False)
    server = ctx.Process(target=serve, args=(args.core, args.rate, args.cost_ms / 1000,
                                             args.seconds, sent))  # fmt: skip
    burst = None
    if mode != "quiet":
        until = time.time() + args.seconds + 0.5
        burst = ctx.Process(target=export, args=(args.core, directory, mode, until, burst_sent))
        burst.start()
    server.start()
    late = sorted(got.recv())
    server.join()
    export_cpu = None
    if burst is not None:
        export_cpu = round(burst_got.recv(), 2)
        burst.join()
    return {
        "mode": mode,
        "p50": round(statistics.median(late), 2),
        "p99": round(late[int(0.99 * len(late))], 2),
        "max": round(late[-1], 2),
        "export_cpu_s": export_cpu,
        "load1": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--core", type=int, default=0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--cost-ms", type=float, default=2.4)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--turns", type=int, default=4)
    parser.add_argument("--modes", default="quiet,export,export-idle,export-nice10")
    parser.add_argument(
        "--cost-only", action="store_true", help="only the export's CPU and wall s, twice"
    )
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="core-share-")
    store = fill(directory, args.rows)
    if args.cost_only:
        for _ in range(2):
            cpu, wall = time.process_time(), time.perf_counter()
            store.export_days([dt.date.today()])
            took = {"cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall}
            print(json.dumps({"rows": args.rows, **{k: round(v, 3) for k, v in took.items()}}))
        return
    store.close()
    modes = args.modes.split(",")
    for turn in range(args.turns):
        for mode in modes if turn % 2 == 0 else list(reversed(modes)):
            print(json.dumps({"turn": turn + 1, **one(mode, args, directory)}), flush=True)


if __name__ == "__main__":
    main()
