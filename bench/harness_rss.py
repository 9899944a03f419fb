"""`make bench`'s memory step: each API worker's RSS under the locust mix, on the harness's stack.

The locust scenario (bench/locustfile.py) runs for `minutes` with `users` users while every API
worker's `VmRSS` is read from /proc every `every_s` seconds (bench/rss.py). Reported per worker:
the RSS after the warm-up (when the L1 has filled and the pools have opened what they will), at
the end, the least-squares slope since the warm-up and over the last `window_s` seconds.

The rule for "flat" (issue 18: no growth after warm-up): every worker's slope over the last
`window_s` seconds (5 minutes in the full run) lies within ±`FLAT_SLOPE_MIB_PER_MIN`. The whole
span since the warm-up is reported too, but not judged: the 64 MiB L1 takes minutes to fill
(bench/results/2026-12-03-memory.md), and filling is not a leak.

The L1's size in bytes is read from the API's /metrics at the end (`L1_BYTES_METRIC`), against
its bound `SKYFARE_CACHE_L1_BYTES`; a server that exposes no such figure is recorded as such.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request

from bench.harness_stack import Stack, display
from bench.machine import pin
from bench.report import Rss, RssWorker
from bench.rss import sample_locust, summarize
from skyfare.settings_model import Settings

FLAT_SLOPE_MIB_PER_MIN = 0.5
# What the API would call the L1's current size (STYLE: skyfare_<noun>_<unit>); one series per
# process, read from whichever worker answers the scrape.
L1_BYTES_METRIC = "skyfare_cache_l1_bytes"
_L1_BYTES = re.compile(rf"^{L1_BYTES_METRIC}(?:\{{[^}}]*\}})? ([0-9.eE+]+)$", re.M)
NOT_EXPOSED = f"the API's /metrics has no `{L1_BYTES_METRIC}`: the L1's size is not exposed"


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
    samples, command = sample_locust(stack, users=users, seconds=seconds, every_s=every_s)
    workers = summarize(samples, warmup_s, window_s)
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
        l1_max_bytes=l1_bound(stack.env),
        l1_bytes=l1_bytes,
        l1_note=note,
        samples=samples,
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


def l1_bound(env: dict[str, str]) -> int:
    """The L1's byte bound the stack runs with: its setting, else the default."""
    configured = env.get("SKYFARE_CACHE_L1_BYTES")
    return int(configured) if configured else Settings().cache_l1_bytes


def parse_l1_bytes(metrics: str) -> float | None:
    found = _L1_BYTES.search(metrics)
    return float(found.group(1)) if found else None


def scrape_l1_bytes(url: str) -> tuple[float | None, str]:
    """The L1's size from the API's /metrics, and a note when it could not be read."""
    try:
        with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
            text = response.read().decode()
    except (urllib.error.URLError, OSError) as exc:
        return None, f"/metrics did not answer: {exc!r}"
    found = parse_l1_bytes(text)
    return found, "" if found is not None else NOT_EXPOSED
