"""Background processes give way to the API workers on a shared core.

`skyfare up` runs the analytics consumer on the same cores as the API workers. While busy it
rewrote each touched day's whole Parquet file every 30 s: once a day held millions of rows that
was seconds of CPU (~0.85 s per million search rows, more for their airline calls), and at
normal priority the scheduler gave it half of the core an API worker needed 0.5–0.6 of at 200
cold searches a second: the worker fell behind for the length of the export, the cold-search
tail of `make bench` (bench/results/2026-12-05-cold-p99.md). Its exports now write only what is
new (~10 ms of CPU, analytics/parquet.py), but a day that is over is still rewritten whole once,
and its loads come in bursts.

Niced, the consumer still gets the CPU nobody else wants, and a tenth of a contended core
(nice 10: weight 110 against 1024), so it is never starved and catches up when the API idles.
Threads it starts afterwards (DuckDB's) inherit the nice value. Under Kubernetes each
Deployment has its own cgroup, where this only orders the process against itself.
"""

from __future__ import annotations

import contextlib
import os

BACKGROUND_NICE = 10


def give_way() -> None:
    """Lower this process's CPU priority to `BACKGROUND_NICE` (never raise it). On Linux a nice
    value is per thread and inherited by threads started later: call it before starting any."""
    with contextlib.suppress(OSError, AttributeError):
        current = os.getpriority(os.PRIO_PROCESS, 0)
        if current < BACKGROUND_NICE:
            os.setpriority(os.PRIO_PROCESS, 0, BACKGROUND_NICE)
