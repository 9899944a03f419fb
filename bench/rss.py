"""Memory: each API worker's resident set while the locust mix runs, to see that it stays flat.

Starts the stack (`skyfare up --workers N`, bench/harness_stack.py), runs the locust scenario
(bench/locustfile.py) for `--minutes`, and reads every API worker's `VmRSS` from /proc each
`--every` seconds. What counts is the growth after the warm-up (`--warmup` seconds, and never
before the L1 first reaches its byte bound, read from /metrics with each sample; by then the
pools have opened what they will): the RSS at the end minus the RSS then, and the
least-squares slope over the samples since. A leak shows as a slope that does not fall back to
about zero; noise as a few hundred kB either way.

    .venv/bin/python -m bench.rss --minutes 10 --out bench/results

Writes `<date>-rss.json` and `<date>-rss.md` (the command included) when `--out` is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import msgspec

from bench.harness_stack import Stack, display, partner_key, running_stack
from bench.machine import listening_pids
from bench.mixed import locust_command
from bench.report import RssSample, RssWorker
from skyfare.settings_model import Settings

KIB_PER_MIB = 1024
# What the API would call the L1's current size (STYLE: skyfare_<noun>_<unit>); one series per
# process, read from whichever worker answers the scrape.
L1_BYTES_METRIC = "skyfare_cache_l1_bytes"
_L1_BYTES = re.compile(rf"^{L1_BYTES_METRIC}(?:\{{[^}}]*\}})? ([0-9.eE+]+)$", re.M)
NOT_EXPOSED = f"the API's /metrics has no `{L1_BYTES_METRIC}`: the L1's size is not exposed"
# The L1 counts as full from 99 % of its byte bound: eviction keeps it just under the bound.
L1_FULL = 0.99


Sample = RssSample
Worker = RssWorker


class Result(msgspec.Struct, frozen=True):
    date: str
    command: str
    workers: int
    users: int
    minutes: float
    warmup_s: float
    samples: list[Sample]
    per_worker: list[Worker]
    l1_full_at_s: float | None = None  # growth counts from the later of this and `warmup_s`


def rss_mib(pid: int) -> float | None:
    """`VmRSS` of `pid` in MiB, or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / KIB_PER_MIB
    except OSError:
        return None
    return None


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


def l1_bound(env: dict[str, str]) -> int:
    """The L1's byte bound the stack runs with: its setting, else the default."""
    configured = env.get("SKYFARE_CACHE_L1_BYTES")
    return int(configured) if configured else Settings().cache_l1_bytes


def warmed_at(warmup_s: float, l1_full_at_s: float | None) -> float:
    """Growth counts from the later of the fixed warm-up and the L1 reaching its bound (a
    worker whose L1 never filled is judged from the fixed warm-up: its growth is shown, and
    the summary says the L1 was still filling)."""
    return warmup_s if l1_full_at_s is None else max(warmup_s, l1_full_at_s)


def slope_per_min(points: Sequence[tuple[float, float]]) -> float:
    """The least-squares slope of (seconds, MiB) points, in MiB per minute (0 for < 2 points)."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return cov / var * 60


def summarize(
    samples: Sequence[Sample], warmup_s: float, window_s: float | None = None
) -> list[Worker]:
    """Per worker: RSS after the warm-up and at the end, the growth between, the slope since the
    warm-up and over the last `window_s` seconds (default: the same span as since the warm-up)."""
    workers = []
    for pid in sorted({p for s in samples for p in s.rss_mib}, key=int):
        points = [(s.at_s, s.rss_mib[pid]) for s in samples if pid in s.rss_mib]
        after = [(t, v) for t, v in points if t >= warmup_s]
        if not after:
            continue
        since = after[-1][0] - window_s if window_s is not None else warmup_s
        window = [(t, v) for t, v in after if t >= since]
        workers.append(
            Worker(
                pid=int(pid),
                after_warmup_mib=round(after[0][1], 1),
                end_mib=round(after[-1][1], 1),
                growth_mib=round(after[-1][1] - after[0][1], 1),
                slope_mib_per_min=round(slope_per_min(after), 3),
                window_slope_mib_per_min=round(slope_per_min(window), 3),
            )
        )
    return workers


def api_pids(stack: Stack) -> list[int]:
    """The API workers: listening on the API's port, not the sim's."""
    return sorted(listening_pids(stack.port) - listening_pids(stack.sim_port))


def sample_while(
    command: list[str],
    pids: Sequence[int],
    every_s: float,
    l1_bytes: Callable[[], float | None] | None = None,
) -> list[Sample]:
    """Run `command` (locust) to its end, reading each pid's RSS every `every_s` seconds, and
    the L1's size beside it when `l1_bytes` is given."""
    samples: list[Sample] = []
    started = time.monotonic()
    locust = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while locust.poll() is None:
            rss = {str(pid): round(v, 2) for pid in pids if (v := rss_mib(pid)) is not None}
            l1 = l1_bytes() if l1_bytes is not None else None
            samples.append(Sample(round(time.monotonic() - started, 1), rss, l1))
            time.sleep(every_s)
    finally:
        if locust.poll() is None:
            locust.terminate()
        locust.wait(timeout=60)
    return samples


def l1_full_at(samples: Sequence[Sample], bound_bytes: int, share: float = L1_FULL) -> float | None:
    """When the L1 first held `share` of its byte bound (None: never, or its size unread).
    Until then the worker is still warming up: every search it caches is new memory."""
    for s in samples:
        if s.l1_bytes is not None and s.l1_bytes >= share * bound_bytes:
            return s.at_s
    return None


class LocustRss(NamedTuple):
    samples: list[Sample]
    command: list[str]  # the locust command, with a partner key of its own
    l1_full_at_s: float | None  # when the L1 first reached its byte bound (`l1_full_at`)


def sample_locust(stack: Stack, *, users: int, seconds: int, every_s: float) -> LocustRss:
    """The locust mix against `stack` for `seconds`, its API workers' RSS and the L1's size
    (from /metrics) sampled meanwhile, and when the L1 filled: until then growth is filling."""
    with tempfile.TemporaryDirectory(prefix="skyfare-bench-rss-") as tmp:
        command = locust_command(
            stack,
            users=users,
            spawn_rate=users,
            seconds=seconds,
            csv_prefix=f"{tmp}/rss",
            partner_key=partner_key(stack),
        )
        samples = sample_while(
            command, api_pids(stack), every_s, lambda: scrape_l1_bytes(stack.url)[0]
        )
    return LocustRss(samples, command, l1_full_at(samples, l1_bound(stack.env)))


def measure(
    *,
    workers: int,
    users: int,
    minutes: float,
    warmup_s: float,
    every_s: float,
    settings: dict[str, str],
    port_base: int | None = None,
) -> Result:
    seconds = int(minutes * 60)
    with running_stack(workers, [], pinned=False, settings=settings, port_base=port_base) as stack:
        samples, _, full_at = sample_locust(stack, users=users, seconds=seconds, every_s=every_s)
    return Result(
        date=dt.date.today().isoformat(),
        command=display([sys.executable, "-m", "bench.rss", *sys.argv[1:]]),
        workers=workers,
        users=users,
        minutes=minutes,
        warmup_s=warmup_s,
        samples=samples,
        per_worker=summarize(samples, warmed_at(warmup_s, full_at)),
        l1_full_at_s=full_at,
    )


def render(result: Result) -> str:
    lines = [
        f"# API worker memory under the locust mix ({result.date})",
        "",
        f"`{result.command}`: {result.workers} worker(s), {result.users} locust users, "
        f"{result.minutes:g} min, growth counted after a {result.warmup_s:g} s warm-up"
        + (
            f" or once the L1 reached its bound ({result.l1_full_at_s:g} s), whichever is later."
            if result.l1_full_at_s is not None
            else " (the L1 did not reach its bound)."
        ),
        "",
        "| worker pid | RSS after warm-up (MiB) | RSS at the end (MiB) | growth (MiB) "
        "| slope after warm-up (MiB/min) |",
        "|---|---|---|---|---|",
    ]
    for w in result.per_worker:
        lines.append(
            f"| {w.pid} | {w.after_warmup_mib} | {w.end_mib} | {w.growth_mib:+} "
            f"| {w.slope_mib_per_min:+} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=120.0, help="seconds before growth counts")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SKYFARE_NAME=VALUE",
        help="a setting of the stack (repeatable), e.g. SKYFARE_CACHE_L1_ENTRIES=0",
    )
    parser.add_argument("--out", type=Path, help="write <date>-rss.json and .md there")
    parser.add_argument(
        "--port-base", type=int, help="the stack listens on this port and the 3 after it"
    )
    args = parser.parse_args(argv)
    settings = dict(item.split("=", 1) for item in args.set)
    if bad := [name for name in settings if not name.startswith("SKYFARE_")]:
        parser.error(f"--set takes SKYFARE_* settings, not {', '.join(bad)}")
    result = measure(
        workers=args.workers,
        users=args.users,
        minutes=args.minutes,
        warmup_s=args.warmup,
        every_s=args.every,
        settings=settings,
        port_base=args.port_base,
    )
    text = render(result)
    print(text)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        stem = args.out / f"{result.date}-rss"
        stem.with_suffix(".json").write_bytes(msgspec.json.format(msgspec.json.encode(result)))
        stem.with_suffix(".md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
