"""A loop-lag probe for one API worker: each stall of its event loop, with what the process did
meanwhile (bench/results/2026-12-04-cold-tail.md, where it found the cold-search tail's cause).

Not wired into Skyfare: to use it, start it in `skyfare/workers.py:_serve_api` once the site
serves, e.g.

    if os.environ.get("LOOP_LAG_LOG"):
        from bench import loop_lag_probe
        probe = asyncio.ensure_future(loop_lag_probe.probe(os.environ["LOOP_LAG_LOG"]))

Every 2 ms the probe wakes; when it wakes more than `threshold_ms` late it writes one JSON line:
the lag, how much of it the process spent on a CPU and waiting in the run queue
(/proc/self/schedstat: a stall mostly waiting is another process's CPU, mostly on-CPU is our own
code or the collector), and the garbage collections that ran in it (generation, wall ms, CPU ms
of this thread, objects collected). Every 10 s a line of `gc.get_stats()` and the heap's size.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import time
from typing import Any


def _schedstat() -> tuple[float, float]:
    """(ms on a CPU, ms waiting in the run queue) of this thread so far."""
    with open("/proc/self/schedstat") as f:
        on_cpu, waiting, _ = f.read().split()
    return int(on_cpu) / 1e6, int(waiting) / 1e6


async def probe(path: str, period_s: float = 0.002, threshold_ms: float = 8.0) -> None:
    collections: list[tuple[int, float, float, int]] = []
    started: dict[str, float] = {}

    def timed(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started.update(wall=time.perf_counter(), cpu=time.thread_time())
            return
        wall_ms = (time.perf_counter() - started["wall"]) * 1000
        cpu_ms = (time.thread_time() - started["cpu"]) * 1000
        collections.append((info["generation"], wall_ms, cpu_ms, info.get("collected", 0)))

    gc.callbacks.append(timed)
    # A line-buffered local file: one short write per stall, never a wait worth measuring.
    with open(f"{path}.{os.getpid()}", "a", buffering=1) as out:  # noqa: ASYNC230
        out.write(json.dumps({"objects": len(gc.get_objects()), "frozen": gc.get_freeze_count(),
                              "threshold": gc.get_threshold()}) + "\n")  # fmt: skip
        next_stats = time.monotonic() + 10
        last = time.perf_counter()
        on_cpu, waiting = _schedstat()
        while True:
            await asyncio.sleep(period_s)
            now = time.perf_counter()
            cpu_now, waiting_now = _schedstat()
            lag_ms = (now - last - period_s) * 1000
            ran, collections[:] = list(collections), []
            if lag_ms > threshold_ms or any(generation == 2 for generation, *_ in ran):
                out.write(json.dumps({
                    "t": round(time.time(), 3),
                    "lag": round(lag_ms, 1),
                    "oncpu": round(cpu_now - on_cpu, 1),
                    "runq": round(waiting_now - waiting, 1),
                    "gc": [(g, round(w, 1), round(c, 1), n) for g, w, c, n in ran if w > 0.5],
                }) + "\n")  # fmt: skip
            if time.monotonic() > next_stats:
                next_stats = time.monotonic() + 10
                out.write(
                    json.dumps({"stats": gc.get_stats(), "objects": len(gc.get_objects())}) + "\n"
                )
                now = time.perf_counter()
            last, on_cpu, waiting = now, cpu_now, waiting_now
