"""Memory: each API worker's resident set while the locust mix runs, to see that it stays flat.

Starts the stack (`skyfare up --workers N`, bench/harness_stack.py), runs the locust scenario
(bench/locustfile.py) for `--minutes`, and reads every API worker's `VmRSS` from /proc each
`--every` seconds. What counts is the growth after the warm-up (`--warmup`, when the L1 has
filled and the pools have opened what they will): the RSS at the end minus the RSS then, and the
least-squares slope over the samples since. A leak shows as a slope that does not fall back to
about zero; noise as a few hundred kB either way.

    .venv/bin/python -m bench.rss --minutes 10 --out bench/results

Writes `<date>-rss.json` and `<date>-rss.md` (the command included) when `--out` is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import msgspec

from bench.harness_stack import Stack, display, partner_key, running_stack
from bench.machine import listening_pids
from bench.mixed import locust_command
from bench.report import RssSample, RssWorker

KIB_PER_MIB = 1024


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


def rss_mib(pid: int) -> float | None:
    """`VmRSS` of `pid` in MiB, or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / KIB_PER_MIB
    except OSError:
        return None
    return None


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


def sample_while(command: list[str], pids: Sequence[int], every_s: float) -> list[Sample]:
    """Run `command` (locust) to its end, reading each pid's RSS every `every_s` seconds."""
    samples: list[Sample] = []
    started = time.monotonic()
    locust = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while locust.poll() is None:
            rss = {str(pid): round(v, 2) for pid in pids if (v := rss_mib(pid)) is not None}
            samples.append(Sample(round(time.monotonic() - started, 1), rss))
            time.sleep(every_s)
    finally:
        if locust.poll() is None:
            locust.terminate()
        locust.wait(timeout=60)
    return samples


def sample_locust(
    stack: Stack, *, users: int, seconds: int, every_s: float
) -> tuple[list[Sample], list[str]]:
    """The locust mix against `stack` for `seconds`, its API workers' RSS sampled meanwhile;
    the samples and the locust command (with a partner key of its own)."""
    with tempfile.TemporaryDirectory(prefix="skyfare-bench-rss-") as tmp:
        command = locust_command(
            stack,
            users=users,
            spawn_rate=users,
            seconds=seconds,
            csv_prefix=f"{tmp}/rss",
            partner_key=partner_key(stack),
        )
        return sample_while(command, api_pids(stack), every_s), command


def measure(
    *,
    workers: int,
    users: int,
    minutes: float,
    warmup_s: float,
    every_s: float,
    settings: dict[str, str],
) -> Result:
    seconds = int(minutes * 60)
    with running_stack(workers, [], pinned=False, settings=settings) as stack:
        samples, _ = sample_locust(stack, users=users, seconds=seconds, every_s=every_s)
    return Result(
        date=dt.date.today().isoformat(),
        command=display([sys.executable, "-m", "bench.rss", *sys.argv[1:]]),
        workers=workers,
        users=users,
        minutes=minutes,
        warmup_s=warmup_s,
        samples=samples,
        per_worker=summarize(samples, warmup_s),
    )


def render(result: Result) -> str:
    lines = [
        f"# API worker memory under the locust mix ({result.date})",
        "",
        f"`{result.command}`: {result.workers} worker(s), {result.users} locust users, "
        f"{result.minutes:g} min, growth counted after a {result.warmup_s:g} s warm-up.",
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
