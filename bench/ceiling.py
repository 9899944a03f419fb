"""Cached `GET /v1/search` against its ceiling: a bare aiohttp + uvloop handler, same bytes.

The design target: cached search keeps >= 75 % of the throughput of a bare aiohttp handler
returning the same bytes, same process count, same load tool (wrk), measured in turns in one run.

The function `bench.harness` (and anyone else) imports:

    measure_ceiling(
        search_url: str | None = None,    # a cached GET /v1/search; None: start `skyfare up`
        baseline_url: str | None = None,  # the bare handler; None: start bench.baseline_server
                                          #   serving the body and headers search_url answers
        *,
        workers: int = 1,                 # processes of each side (when this module starts them)
        turns: int = 5,                   # alternating wrk runs per side (order flips each turn)
        seconds: int = 8,                 # length of each wrk run
        connections: int = 64,            # wrk -c
        threads: int = 1,                 # wrk -t
        warmup_s: int = 2,                # one unmeasured wrk run per side first
    ) -> dict[str, Any]

It returns (and the CLI prints as JSON):

    {"skyfare_rps": [per turn], "baseline_rps": [per turn], "turn_ratios": [per turn],
     "skyfare_median_rps": float, "baseline_median_rps": float,
     "ratio": skyfare median / baseline median, "target": 0.75, "meets_target": bool,
     "spread": {"skyfare": (max-min)/median, "baseline": ...},   # how noisy the machine was
     "cpu_us_per_request": {"skyfare": [per turn], "baseline": [per turn]},
     "cpu_ratio": baseline / skyfare median CPU µs per request,   # None if not measurable
     "non_2xx": int, "search_url": ..., "baseline_url": ..., "workers": ..., "wrk": "wrk -t1 ...",
     "load_average_before": [1, 5, 15 min], "response_bytes": int}

`cpu_ratio` is the same comparison in server CPU time (user + system, from /proc, of the
processes listening on each URL's port, when local): what the ratio would be were each side alone
on its cores. Other load on the machine moves it far less than the requests/s, so it is the
steadier figure on a shared machine; the target is judged on `ratio`.

It raises `RuntimeError` if wrk is missing, a side does not come up, or the search is not a
fare-cache HIT before measuring. CLI:

    python -m bench.ceiling [--workers 1] [--turns 5] [--seconds 8] [--connections 64]
                            [--search-url URL --baseline-url URL] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench.machine import cpu_seconds, listening_pids
from bench.processes import free_port, process_group
from bench.report import emit_json

TARGET = 0.75
# The headers Skyfare answers a cached search with beyond aiohttp's own (Date, Content-Length,
# Content-Type): the baseline sends them too, so both write the same bytes. Until issue 18 only
# the first two were copied, and the five security headers of issue 13 (~170 bytes a response)
# were Skyfare's alone.
COPIED_HEADERS = (
    "X-Cache",
    "X-Request-Id",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Content-Security-Policy",
    "Cache-Control",
    "Server",
)

__all__ = ["TARGET", "measure_ceiling", "parse_wrk", "run_wrk"]


def measure_ceiling(
    search_url: str | None = None,
    baseline_url: str | None = None,
    *,
    workers: int = 1,
    turns: int = 5,
    seconds: int = 8,
    connections: int = 64,
    threads: int = 1,
    warmup_s: int = 2,
) -> dict[str, Any]:
    """See the module docstring."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (or make wrk)")
    with ExitStack() as stack:
        if search_url is None:
            search_url = stack.enter_context(_skyfare_up(workers))
        body, headers = _prime(search_url)
        if baseline_url is None:
            # The same request target too: both sides parse the same request line.
            target = urllib.parse.urlsplit(search_url)
            path = target.path + ("?" + target.query if target.query else "")
            baseline_url = stack.enter_context(_baseline(body, headers, workers, path))
        urls = {"skyfare": search_url, "baseline": baseline_url}
        pids = {side: _server_pids(url) for side, url in urls.items()}
        load = list(os.getloadavg())
        for url in urls.values():
            run_wrk(url, seconds=warmup_s, connections=connections, threads=threads)
        rps: dict[str, list[float]] = {"skyfare": [], "baseline": []}
        cpu: dict[str, list[float]] = {"skyfare": [], "baseline": []}
        non_2xx = 0
        for turn in range(turns):
            # Flip the order every turn: neither side always runs right after the other.
            for side in ("skyfare", "baseline") if turn % 2 == 0 else ("baseline", "skyfare"):
                before = _cpu_seconds(pids[side])
                result = run_wrk(urls[side], seconds=seconds, connections=connections,
                                 threads=threads)  # fmt: skip
                used = _cpu_seconds(pids[side]) - before
                rps[side].append(result["requests_per_s"])
                cpu[side].append(round(used / max(1.0, result["requests"]) * 1e6, 2))
                non_2xx += int(result["non_2xx"])
    summary = _summary(rps, non_2xx, urls, workers, load, len(body),
                       f"wrk -t{threads} -c{connections} -d{seconds}s")  # fmt: skip
    measured = all(pids.values())
    summary["cpu_us_per_request"] = cpu if measured else None
    summary["cpu_ratio"] = (
        round(statistics.median(cpu["baseline"]) / statistics.median(cpu["skyfare"]), 3)
        if measured
        else None
    )
    return summary


def _summary(
    rps: dict[str, list[float]],
    non_2xx: int,
    urls: dict[str, str],
    workers: int,
    load: list[float],
    size: int,
    wrk: str,
) -> dict[str, Any]:
    medians = {side: statistics.median(values) for side, values in rps.items()}
    ratio = medians["skyfare"] / medians["baseline"]
    return {
        "skyfare_rps": rps["skyfare"],
        "baseline_rps": rps["baseline"],
        "turn_ratios": [
            round(s / b, 3) for s, b in zip(rps["skyfare"], rps["baseline"], strict=True)
        ],
        "skyfare_median_rps": medians["skyfare"],
        "baseline_median_rps": medians["baseline"],
        "ratio": round(ratio, 3),
        "target": TARGET,
        "meets_target": ratio >= TARGET,
        "spread": {
            side: round((max(values) - min(values)) / medians[side], 3)
            for side, values in rps.items()
        },
        "non_2xx": non_2xx,
        "search_url": urls["skyfare"],
        "baseline_url": urls["baseline"],
        "workers": workers,
        "wrk": wrk,
        "load_average_before": load,
        "response_bytes": size,
    }


def run_wrk(url: str, *, seconds: int, connections: int, threads: int = 1) -> dict[str, float]:
    """One wrk run, as `parse_wrk` reads it."""
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    ).stdout  # fmt: skip
    return parse_wrk(out)


def parse_wrk(out: str) -> dict[str, float]:
    """wrk's report → `requests_per_s`, `requests` (answered in all), `non_2xx`."""
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    if match is None or count is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_s": float(match.group(1)),
        "requests": float(count.group(1)),
        "non_2xx": float(errors.group(1)) if errors else 0.0,
    }


def _server_pids(url: str) -> list[int]:
    """The processes listening on `url`'s port on this machine (each SO_REUSEPORT worker has its
    own listening socket); empty when it is not local or /proc cannot tell."""
    target = urllib.parse.urlsplit(url)
    if target.hostname not in ("127.0.0.1", "localhost", "::1") or target.port is None:
        return []
    return sorted(listening_pids(target.port))


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes used so far."""
    return sum(cpu_seconds(pid) for pid in pids)


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read(), dict(response.headers)


def _wait_ready(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if _get(url)[0] == 200:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout_s:g} s")


@contextmanager
def _skyfare_up(workers: int) -> Iterator[str]:
    """`skyfare up` (embedded PostgreSQL and Redis, the sim airlines) on free ports."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="skyfare-ceiling-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(
            SKYFARE_PORT=str(port),
            SKYFARE_SIM_PORT=str(free_port()),
            SKYFARE_DATA_DIR=data_dir,
            SKYFARE_LOG_LEVEL="WARNING",
        )
        command = [sys.executable, "-m", "skyfare.cli", "up", "--workers", str(workers)]
        with process_group(command, env):
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base + "/healthz", timeout_s=90)
            date = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
            yield f"{base}/v1/search?origin=LHR&destination=JFK&departure_date={date}"


def _prime(search_url: str) -> tuple[bytes, dict[str, str]]:
    """Search until the fare cache answers (HIT); that answer's body and Skyfare's own headers."""
    for _ in range(20):
        status, body, headers = _get(search_url)
        if status == 200 and headers.get("X-Cache") == "HIT":
            return body, {name: headers[name] for name in COPIED_HEADERS if name in headers}
        time.sleep(0.1)
    raise RuntimeError(f"{search_url} is not answered from the fare cache (no X-Cache: HIT)")


@contextmanager
def _baseline(body: bytes, headers: dict[str, str], workers: int, path: str) -> Iterator[str]:
    port = free_port()
    with tempfile.NamedTemporaryFile(prefix="skyfare-ceiling-", suffix=".json") as body_file:
        body_file.write(body)
        body_file.flush()
        command = [
            sys.executable, "-m", "bench.baseline_server", "--body-file", body_file.name,
            "--port", str(port), "--workers", str(workers),
            *(f"--header={name}: {value}" for name, value in headers.items()),
        ]  # fmt: skip
        with process_group(command):
            url = f"http://127.0.0.1:{port}{path}"
            _wait_ready(url, timeout_s=30)
            yield url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--search-url", help="a cached GET /v1/search (default: start skyfare up)")
    parser.add_argument("--baseline-url", help="the bare handler (default: start one)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured wrk per side")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    args = parser.parse_args(argv)
    result = measure_ceiling(
        args.search_url,
        args.baseline_url,
        workers=args.workers,
        turns=args.turns,
        seconds=args.seconds,
        connections=args.connections,
        threads=args.threads,
        warmup_s=args.warmup,
    )
    emit_json(result, args.json)


if __name__ == "__main__":
    main()
