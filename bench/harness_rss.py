"""`make bench`'s memory step: each API worker's RSS under the locust mix, on the harness's stack.

The locust scenario (bench/locustfile.py) runs for `minutes` with `users` users while every API
worker's `VmRSS` is read from /proc every `every_s` seconds (bench/rss.py). Reported per worker:
the RSS after the warm-up (when the L1 has filled and the pools have opened what they will), at
the end, the least-squares slope since the warm-up and over the last `window_s` seconds.

The rule for "flat" (issue 18: no growth after warm-up): every worker's slope over the last
`window_s` seconds (5 minutes in the full run) lies within ±`FLAT_SLOPE_MIB_PER_MIN`. The whole
span since the warm-up is reported too, but not judged: the 64 MiB L1 takes minutes to fill
(bench/results/2026-12-03-memory.md), and filling is not a leak. So the L1's size is read with
every sample, and the warm-up lasts until it first reaches its bound (`bench.rss.l1_full_at`)
if that is later than `warmup_s`: the judged window never holds the L1's filling.

The L1's size in bytes is read from the API's /metrics (`bench.rss.L1_BYTES_METRIC`), against
its bound `SKYFARE_CACHE_L1_BYTES`; a server that exposes no such figure is recorded as such.
"""

from __future__ import annotations

from bench.harness_stack import Stack, display
from bench.machine import pin
from bench.report import Rss, RssWorker
from bench.rss import (
    l1_bound,
    sample_locust,
    scrape_l1_bytes,
    summarize,
    warmed_at,
)

FLAT_SLOPE_MIB_PER_MIN = 0.5


def measure(
    stack: Stack,
    *,
    users: int,
    minutes: float,
    warmup_s: float,
    every_s: float,
    window_s: float,
    loadgen_cores: list[int],
    pinned: bool,
) -> tuple[Rss, list[str]]:
    seconds = round(minutes * 60)
    samples, command, full_at = sample_locust(stack, users=users, seconds=seconds, every_s=every_s)
    bound = l1_bound(stack.env)
    workers = summarize(samples, warmed_at(warmup_s, full_at), window_s)
    l1_bytes, note = scrape_l1_bytes(stack.url)
    rss = Rss(
        users=users,
        duration_s=seconds,
        warmup_s=warmup_s,
        every_s=every_s,
        flat_window_s=window_s,
        flat_slope_mib_per_min=FLAT_SLOPE_MIB_PER_MIN,
        per_worker=workers,
        flat=is_flat(workers, FLAT_SLOPE_MIB_PER_MIN),
        l1_max_bytes=bound,
        l1_bytes=l1_bytes,
        l1_note=note,
        samples=samples,
        l1_full_at_s=full_at,
    )
    shown = pin(command, loadgen_cores, enabled=pinned)
    shown[shown.index("--partner-key") + 1] = "$PARTNER_KEY"
    shown[shown.index("--csv") + 1] = "rss"
    reading = f"# meanwhile, every {every_s:g} s: grep VmRSS /proc/<API worker pid>/status"
    return rss, [*stack.command, display(shown), reading, f"curl -s {stack.url}/metrics"]


def is_flat(workers: list[RssWorker], limit_mib_per_min: float) -> bool:
    """Every worker's slope over the judged window within ±limit (no worker: not shown flat)."""
    return bool(workers) and all(
        abs(w.window_slope_mib_per_min) <= limit_mib_per_min for w in workers
    )
