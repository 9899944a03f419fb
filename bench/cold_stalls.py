"""Where cold search's latency spikes come from: a timeline of one stack under open-loop load.

    python -m bench.cold_stalls --rate 200 --seconds 20 --runs 3 --out /tmp/stalls \
        [--base-port 21000] [--settings SKYFARE_X=1,...] [--prefill-seconds 60]

One stack pinned as `make bench` pins it (`skyfare up --workers 1` on core 0, the sim moved to
core 1, this process on core 1), the airlines at `bench.harness_cold`'s fixed latencies. While
the runs go, a thread samples every 50 ms: core 0's busy time (/proc/stat) and each stack
process's on-CPU and run-queue time (every thread's /proc/<pid>/task/*/schedstat), by role
(api, redis-server and its background-save child, postgres, each Python process by pid; the
one with DuckDB loaded is the analytics consumer, listed in `duckdb_loaded`). Afterwards the
answers are binned by their intended send time (250 ms bins) beside those samples, and the
embedded Redis's log (its background saves), its INFO and, if the API worker runs
`bench.loop_lag_probe` (`LOOP_LAG_LOG` set), its loop stalls are copied out before the stack
stops. Writes `<out>/timeline.json` and prints the worst bins of each run with what every
process did meanwhile.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from bench import harness_stack, open_loop
from bench.cold_tail_ab import _roles
from bench.harness_ceiling import prime, search_url
from bench.harness_cold import AIRLINE_LATENCY_MS, WARMUP_S, _run, figures, url_template
from bench.harness_stack import reset_sim, running_stack, set_sim_latency

PERIOD_S = 0.05
BIN_S = 0.25


def _core0_busy() -> tuple[int, int]:
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu0 "):
                ticks = list(map(int, line.split()[1:]))
                idle = ticks[3] + ticks[4]
                return sum(ticks) - idle, sum(ticks)
    return 0, 1


def _schedstat(pid: int) -> tuple[int, int]:
    """(ns on a CPU, ns runnable but waiting) of every thread of `pid`."""
    run = wait = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                a, b, _ = f.read().split()
            run, wait = run + int(a), wait + int(b)
    except OSError:
        pass
    return run, wait


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


class Sampler(threading.Thread):
    def __init__(self, roles: dict[int, str]) -> None:
        super().__init__(daemon=True)
        self.roles = roles
        self.rows: list[dict[str, Any]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        last = {pid: _schedstat(pid) for pid in self.roles}
        busy, total = _core0_busy()
        while not self.stop.wait(PERIOD_S):
            # Redis's background save runs in a forked child: counted as its own role.
            for pid, role in list(self.roles.items()):
                if role == "redis-server":
                    for child in _children(pid):
                        if child not in self.roles:
                            self.roles[child] = "redis-bgsave"
                            last[child] = (0, 0)
            now = {pid: _schedstat(pid) for pid in self.roles}
            b, t = _core0_busy()
            row: dict[str, Any] = {"t": time.time(), "core0": (b - busy) / max(1, t - total)}
            for pid, (run, wait) in now.items():
                role = self.roles[pid]
                row[role] = row.get(role, 0) + (run - last[pid][0]) / 1e6
                row[role + "_runq"] = row.get(role + "_runq", 0) + (wait - last[pid][1]) / 1e6
            self.rows.append(row)
            last, busy, total = now, b, t


def _bins(
    samples: list[open_loop.Sample], t0: float, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    by_bin: dict[int, list[float]] = {}
    for s in samples:
        by_bin.setdefault(int(s.intended / BIN_S), []).append(
            s.latency_ms if s.status == 200 else 10_000.0
        )
    out = []
    for i in sorted(by_bin):
        lat = sorted(by_bin[i])
        start, end = t0 + i * BIN_S, t0 + (i + 1) * BIN_S
        inside = [r for r in rows if start <= r["t"] < end]
        cpu: dict[str, float] = {}
        for r in inside:
            for k, v in r.items():
                if k != "t":
                    cpu[k] = cpu.get(k, 0.0) + v
        # ms of CPU per 250 ms bin per role; core0 as a mean fraction
        if inside:
            cpu["core0"] = round(cpu.get("core0", 0.0) / len(inside), 2)
        out.append(
            {
                "t": round(start, 3),
                "n": len(lat),
                "p50": round(lat[len(lat) // 2], 1),
                "max": round(lat[-1], 1),
                **{k: round(v, 1) for k, v in cpu.items()},
            }
        )
    return out


def export_windows(result: dict[str, Any], *, busy_ms: float = 150.0) -> dict[str, Any]:
    """The seconds in which the analytics consumer used at least `busy_ms` of CPU (its Parquet
    exports) against the other seconds: the API worker's run-queue wait and CPU (ms per second)
    and the median p50 latency of the searches that arrived in them."""
    names = {"analytics", *result.get("duckdb_loaded", [])}
    seconds: dict[int, dict[str, Any]] = {}
    for run in result["runs"]:
        for b in run["bins"]:
            w = seconds.setdefault(
                int(b["t"]), {"consumer": 0.0, "runq": 0.0, "api": 0.0, "p50": []}
            )
            w["consumer"] += sum(b.get(n, 0.0) for n in names)
            w["runq"] += b.get("api_runq", 0.0)
            w["api"] += b.get("api", 0.0)
            w["p50"].append(b["p50"])

    def medians(ws: list[dict[str, Any]]) -> dict[str, Any]:
        if not ws:
            return {"seconds": 0}
        return {
            "seconds": len(ws),
            "api_runq_ms_per_s": round(statistics.median(w["runq"] for w in ws), 1),
            "api_cpu_ms_per_s": round(statistics.median(w["api"] for w in ws), 1),
            "p50_ms": round(statistics.median(statistics.median(w["p50"]) for w in ws), 1),
        }

    busy = [w for w in seconds.values() if w["consumer"] >= busy_ms]
    rest = [w for w in seconds.values() if w["consumer"] < busy_ms]
    return {"exporting": medians(busy), "rest": medians(rest)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("/tmp/cold-stalls"))
    parser.add_argument("--base-port", type=int, default=0)
    parser.add_argument("--settings", default="", help="KEY=VALUE,… for the stack")
    parser.add_argument(
        "--summary", type=Path, help="only print `export_windows` of a timeline.json written before"
    )
    parser.add_argument(
        "--prefill-seconds",
        type=float,
        default=0.0,
        help="first, cached searches with wrk for this long (as `make bench`'s ceiling step"
        " runs before the cold step: the analytics store's day grows with them)",
    )
    args = parser.parse_args()
    if args.summary is not None:
        print(json.dumps(export_windows(json.loads(args.summary.read_text()))))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    if args.base_port:
        ports = itertools.count(args.base_port)
        harness_stack.free_port = lambda: next(ports)  # type: ignore[attr-defined]
    settings = dict(kv.split("=", 1) for kv in args.settings.split(",") if kv)
    os.sched_setaffinity(0, {1})
    result: dict[str, Any] = {"runs": [], "settings": settings}
    with running_stack(1, [0], pinned=True, sim_cores=[1], settings=settings) as stack:
        if args.prefill_seconds:
            url = search_url(stack)
            prime(url)
            wrk = ["wrk", "-t1", "-c64", f"-d{args.prefill_seconds:g}s", url]
            subprocess.run(wrk, check=True, capture_output=True)
        set_sim_latency(stack, AIRLINE_LATENCY_MS)
        template = url_template(stack)
        _run(template, open_loop.schedule(args.rate, WARMUP_S))
        roles = _roles(stack.pid, stack.port, stack.sim_port, stack.data_dir)
        # Every Python process of its own (the consumer holds DuckDB's file only at times).
        roles = {p: f"{r}-{p}" if r == "python3" else r for p, r in roles.items() if r != "sim"}
        sampler = Sampler(roles)
        sampler.start()
        for _ in range(args.runs):
            t0 = time.time()
            samples = _run(template, open_loop.schedule(args.rate, args.seconds))
            summary: dict[str, Any] = dict(figures(samples, args.seconds))
            summary["bins"] = _bins(samples, t0, list(sampler.rows))
            result["runs"].append(summary)
            print(json.dumps({k: v for k, v in summary.items() if k != "bins"}), flush=True)
        sampler.stop.set()
        reset_sim(stack)
        result["roles"] = {str(p): r for p, r in roles.items()}
        result["threads"] = {r: len(os.listdir(f"/proc/{p}/task")) for p, r in roles.items()
                             if os.path.exists(f"/proc/{p}/task")}  # fmt: skip
        # The analytics consumer is the Python process that has loaded DuckDB's library.
        result["duckdb_loaded"] = [
            r
            for p, r in roles.items()
            if r.startswith("python3") and "duckdb" in Path(f"/proc/{p}/maps").read_text()
        ]
        sock = next(stack.data_dir.rglob("redis.sock"), None)
        if sock is not None:
            info = subprocess.run(
                ["redis-cli", "-s", str(sock), "info", "all"], capture_output=True, text=True
            ).stdout
            (args.out / "redis-info.txt").write_text(info)
        for log in stack.data_dir.rglob("*.log"):
            shutil.copy(log, args.out / log.name)
    (args.out / "timeline.json").write_text(json.dumps(result, indent=1) + "\n")
    print("consumer exporting vs not:", json.dumps(export_windows(result)))
    for i, run in enumerate(result["runs"]):
        worst = sorted(run["bins"], key=lambda b: b["max"], reverse=True)[:6]
        print(f"run {i + 1}: worst bins")
        for b in sorted(worst, key=lambda b: b["t"]):
            print(" ", json.dumps(b))
        print(
            "  median bin:",
            json.dumps(statistics.median_low([(b["max"], json.dumps(b)) for b in run["bins"]])[1]),
        )


if __name__ == "__main__":
    main()
