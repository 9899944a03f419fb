"""Issue 18's ceiling rows in one set of alternating wrk turns: cached search against the bare
aiohttp + uvloop handler serving the same bytes, with 1 worker, as `POST`, and with 2 workers.

    rows = measure_rows(targets, turns=5, seconds=6, connections=64)

`targets` name each wrk target (`Target`: a URL, a method and a body); each turn runs every
target once for `seconds`, the order reversed every other turn, so no side always follows the
same neighbour and a burst of other load on the machine falls on all of them alike. CPU per
request comes from /proc (the processes listening on each target's port). Pure over its
arguments but for wrk and /proc; `bench.harness_ceiling` starts the servers it measures.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import tempfile
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.ceiling import parse_wrk
from bench.machine import (
    children_cpu_seconds,
    cpu_seconds,
    listening_pids,
    machine_ticks,
)
from bench.report import CeilingRow, CoreBudget

# Issue 18's targets: (Skyfare target, bare target, required ratio).
ROWS: dict[str, tuple[str, str, float]] = {
    "get_1w": ("skyfare_get_1w", "bare_get_1w", 0.90),
    "post_1w": ("skyfare_post_1w", "bare_post_1w", 0.80),
    "get_2w": ("skyfare_get_2w", "bare_get_2w", 0.85),
}
SCALING_TARGET = 1.6


@dataclass
class SideCpu:
    """What a turn costs beside the server measured: wrk's own CPU (this process's waited
    children), and that of each target's `beside` processes (its stack's PostgreSQL, Redis,
    consumers and supervisor), each in µs per request of the turn, per target per turn. Read when
    wrk ends: the analytics consumer's last batch of a turn (it lingers ~0.5 s) falls in the next
    turn, another target's, so the rest is a little under its whole cost (bench/results/
    2026-12-04-two-workers.md read it 2 s later)."""

    beside: Mapping[str, Sequence[int]] = field(default_factory=dict)
    wrk_us: dict[str, list[float]] = field(default_factory=dict)
    beside_us: dict[str, list[float]] = field(default_factory=dict)
    # How many of the machine's cores were busy during each turn (/proc/stat, every process and
    # the kernel's own work), per target per turn.
    busy_cores: dict[str, list[float]] = field(default_factory=dict)

    def start(self, name: str) -> tuple[float, float, tuple[int, int]]:
        return children_cpu_seconds(), self._beside_seconds(name), machine_ticks()

    def stop(
        self, name: str, started: tuple[float, float, tuple[int, int]], requests: float
    ) -> None:
        wrk, beside = children_cpu_seconds() - started[0], self._beside_seconds(name) - started[1]
        self.wrk_us.setdefault(name, []).append(round(wrk / requests * 1e6, 2))
        if name in self.beside:
            self.beside_us.setdefault(name, []).append(round(beside / requests * 1e6, 2))
        (busy0, all0), (busy1, all1) = started[2], machine_ticks()
        cores = os.cpu_count() or 1  # the machine's, not this process's affinity (pinned)
        share = (busy1 - busy0) / max(1, all1 - all0)
        self.busy_cores.setdefault(name, []).append(round(share * cores, 2))

    def _beside_seconds(self, name: str) -> float:
        total = 0.0
        for pid in self.beside.get(name, ()):
            with contextlib.suppress(OSError):  # ended meanwhile: a PostgreSQL backend
                total += cpu_seconds(pid)
        return total


@dataclass(frozen=True)
class Target:
    url: str
    method: str = "GET"
    body: bytes = b""
    workers: int = 1

    @property
    def port(self) -> int:
        return urllib.parse.urlsplit(self.url).port or 80


def wrk_command(
    target: Target, script: Path | None, *, seconds: int, connections: int
) -> list[str]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s"]
    if script is not None:
        command += ["-s", str(script)]
    return [*command, target.url]


@contextmanager
def wrk_scripts(targets: Mapping[str, Target]) -> Iterator[dict[str, Path | None]]:
    """A wrk Lua script per POST target (method, body, Content-Type); None for GETs."""
    with tempfile.TemporaryDirectory(prefix="skyfare-wrk-") as folder:
        scripts: dict[str, Path | None] = {}
        for name, target in targets.items():
            if target.method == "GET":
                scripts[name] = None
                continue
            path = Path(folder) / f"{name}.lua"
            body = target.body.decode().replace("\\", "\\\\").replace('"', '\\"')
            path.write_text(
                f'wrk.method = "{target.method}"\nwrk.body = "{body}"\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
            )
            scripts[name] = path
        yield scripts


def measure_turns(
    targets: Mapping[str, Target],
    *,
    turns: int,
    seconds: int,
    connections: int,
    warmup_s: int,
    side: SideCpu | None = None,
) -> tuple[dict[str, list[float]], dict[str, list[float]], int, list[str]]:
    """(req/s per target per turn, CPU µs per request per target per turn, non-2xx, commands).
    `side`, if given, gets wrk's own CPU and that of each target's `side.beside` processes."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (or make wrk)")
    pids = {name: sorted(listening_pids(t.port)) for name, t in targets.items()}
    rps: dict[str, list[float]] = {name: [] for name in targets}
    cpu: dict[str, list[float]] = {name: [] for name in targets}
    non_2xx = 0
    with wrk_scripts(targets) as scripts:
        commands = [
            " ".join(wrk_command(t, scripts[n], seconds=seconds, connections=connections))
            for n, t in targets.items()
        ]
        for name, target in targets.items():
            run_wrk(wrk_command(target, scripts[name], seconds=warmup_s, connections=connections))
        order = list(targets)
        for turn in range(turns):
            for name in order if turn % 2 == 0 else reversed(order):
                command = wrk_command(
                    targets[name], scripts[name], seconds=seconds, connections=connections
                )
                before = sum(map(cpu_seconds, pids[name]))
                beside = side.start(name) if side is not None else None
                result = run_wrk(command)
                used = sum(map(cpu_seconds, pids[name])) - before
                requests = max(1.0, result["requests"])
                rps[name].append(result["requests_per_s"])
                cpu[name].append(round(used / requests * 1e6, 2))
                if side is not None and beside is not None:
                    side.stop(name, beside, requests)
                non_2xx += int(result["non_2xx"])
    return rps, cpu, non_2xx, commands


def run_wrk(command: Sequence[str]) -> dict[str, float]:
    seconds = int(command[3].removeprefix("-d").removesuffix("s"))
    out = subprocess.run(
        list(command), capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    return parse_wrk(out)


def rows(
    rps: Mapping[str, list[float]], cpu: Mapping[str, list[float]], targets: Mapping[str, Target]
) -> list[CeilingRow]:
    """Issue 18's rows from the turns (those whose two targets were both measured)."""
    found = []
    for name, (sky, bare, target) in ROWS.items():
        if sky not in rps or bare not in rps:
            continue
        s, b = statistics.median(rps[sky]), statistics.median(rps[bare])
        cs, cb = statistics.median(cpu[sky]), statistics.median(cpu[bare])
        measured = cs > 0 and cb > 0
        found.append(
            CeilingRow(
                name=name,
                method=targets[sky].method,
                workers=targets[sky].workers,
                skyfare_rps=rps[sky],
                baseline_rps=rps[bare],
                skyfare_median_rps=round(s, 1),
                baseline_median_rps=round(b, 1),
                ratio=round(s / b, 3),
                target=target,
                meets_target=s / b >= target,
                cpu_us_skyfare=cs if measured else None,
                cpu_us_baseline=cb if measured else None,
                cpu_ratio=round(cb / cs, 3) if measured else None,
            )
        )
    return found


def core_budget(
    rps: Mapping[str, list[float]], cpu: Mapping[str, list[float]], side: SideCpu, cores: int
) -> CoreBudget | None:
    """What 2 workers at `SCALING_TARGET` × 1 worker's req/s would ask of the machine: the API
    workers' CPU, wrk's and the rest of the 2-worker stack's (PostgreSQL, Redis, the consumers,
    the supervisor), each per request as measured in the 2-worker turns (medians), beside the
    `cores` there are. Above them, no placement reaches the target on this machine."""
    one, two = "skyfare_get_1w", "skyfare_get_2w"
    if one not in rps or two not in cpu or two not in side.wrk_us:
        return None
    wanted = SCALING_TARGET * statistics.median(rps[one])
    server_us, wrk_us = statistics.median(cpu[two]), statistics.median(side.wrk_us[two])
    rest_us = statistics.median(side.beside_us[two]) if two in side.beside_us else None
    busy = statistics.median(side.busy_cores[two]) if two in side.busy_cores else None
    return CoreBudget(
        target_rps=round(wanted, 1),
        server_us=server_us,
        wrk_us=wrk_us,
        server_cores=round(wanted * server_us / 1e6, 2),
        wrk_cores=round(wanted * wrk_us / 1e6, 2),
        cores=cores,
        rest_us=rest_us,
        rest_cores=None if rest_us is None else round(wanted * rest_us / 1e6, 2),
        busy_cores=busy,
    )


def scaling(rps: Mapping[str, list[float]], side: str = "skyfare") -> float | None:
    """`side`'s ("skyfare" or "bare") GET req/s with 2 workers over 1 (medians of the same
    turns). The bare handler's says what the placement allows: on 2 cores its 2 workers share
    both with wrk, where its 1 worker had a core to itself (bench/results/
    2026-12-04-ceiling-ablation.md)."""
    two_name, one_name = f"{side}_get_2w", f"{side}_get_1w"
    if two_name not in rps or one_name not in rps:
        return None
    two, one = statistics.median(rps[two_name]), statistics.median(rps[one_name])
    return round(two / one, 3)
