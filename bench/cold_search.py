"""Cold (uncached) search latency against airlines at a fixed, known latency.

Starts `skyfare sim` with `--airlines` (default: three REST ones) answering in `--airline-ms`
(no jitter) and one `skyfare serve` worker, as real processes on loopback, then:

1. sequential searches, one at a time: latency minus the slowest airline's latency is the cost of
   Skyfare itself (fan-out, merge, rank, encode, HTTP);
2. `wrk` for `--wrk-seconds` against the same search: requests/s, p50, p99 of one worker.

Every search is cold (`cache=false`: the airlines answer, never the fare cache). Writes
`bench/results/<date>-cold-search[-<airlines>].json` and prints a Markdown summary.

    python -m bench.cold_search [--airline-ms 50] [--searches 200] [--runs 3] [--wrk-seconds 10]
    python -m bench.cold_search --airlines britannia,nordic,crimson   # REST + SOAP + NDC
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import msgspec

from bench.processes import process_group
from skyfare.settings import default_connectors

DEFAULT_AIRLINES = "britannia,liberty,globetrotter"
RESULTS = Path(__file__).parent / "results"


def _env(
    api_port: int, sim_port: int, airline_ms: float, data_dir: str, airlines: list[str]
) -> dict[str, str]:
    # The default connector settings of the chosen sim airlines (credentials included).
    all_sim = default_connectors(f"http://127.0.0.1:{sim_port}")
    chosen = [c for c in all_sim if c.name.split("-", 1)[1] in airlines]
    if len(chosen) != len(airlines):
        known = ", ".join(c.name.split("-", 1)[1] for c in all_sim)
        raise SystemExit(f"--airlines: choose from {known}")
    connectors = msgspec.json.encode(chosen).decode()
    profile = {slug: {"latency_ms": airline_ms, "latency_sigma": 0.0} for slug in airlines}
    return {
        **os.environ,
        "SKYFARE_PORT": str(api_port),
        "SKYFARE_SIM_PORT": str(sim_port),
        "SKYFARE_SIM_PROFILE": json.dumps(profile),
        "SKYFARE_CONNECTORS": connectors,
        "SKYFARE_DATA_DIR": data_dir,
        "SKYFARE_LOG_LEVEL": "WARNING",
    }


async def _wait_ready(url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not become ready in {timeout_s}s")


async def _sequential(url: str, count: int) -> tuple[list[float], list[float], dict[str, Any]]:
    """Client-side latencies, and each one minus its slowest connector's latency (as measured
    by Skyfare, so the sim's own processing counts as the airline's time, not ours)."""
    latencies: list[float] = []
    overheads: list[float] = []
    meta: dict[str, Any] = {}
    async with aiohttp.ClientSession() as session:
        for i in range(count + 10):
            start = time.perf_counter()
            async with session.get(url) as response:
                body = await response.json()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                raise RuntimeError(f"search answered {response.status}: {body}")
            meta = body["meta"]
            if i >= 10:  # the first few warm connection pools and the airports table
                latencies.append(elapsed)
                overheads.append(elapsed - max(c["latency_ms"] for c in meta["connectors"]))
    return latencies, overheads, meta


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    result = {"requests_per_s": rps}
    for label, key in (("50%", "p50_ms"), ("99%", "p99_ms")):
        match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)", out)
        if match:
            value, unit = float(match.group(1)), match.group(2)
            result[key] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = float(errors.group(1)) if errors else 0.0
    return result


def _one_run(url: str, args: argparse.Namespace) -> tuple[dict[str, float], dict[str, Any]]:
    latencies, overheads, meta = asyncio.run(_sequential(url, args.searches))
    p50, p99 = statistics.median(latencies), _percentile(latencies, 0.99)
    wrk = _wrk(url, args.wrk_seconds, args.wrk_connections)
    figures = {
        "p50_ms": p50,
        "p99_ms": p99,
        "p50_over_slowest_airline_ms": p50 - args.airline_ms,
        "p99_over_slowest_airline_ms": p99 - args.airline_ms,
        "p50_over_slowest_connector_ms": statistics.median(overheads),
        "p99_over_slowest_connector_ms": _percentile(overheads, 0.99),
        **{f"wrk_{key}": value for key, value in wrk.items()},
    }
    return {key: round(value, 2) for key, value in figures.items()}, meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--airline-ms", type=float, default=50.0)
    parser.add_argument(
        "--airlines",
        default=DEFAULT_AIRLINES,
        help="sim airline slugs, e.g. britannia,nordic,crimson",
    )
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="figures are the median of the runs")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--wrk-connections", type=int, default=16)
    parser.add_argument("--api-port", type=int, default=18080)
    parser.add_argument("--sim-port", type=int, default=19100)
    args = parser.parse_args()
    date = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    base = f"http://127.0.0.1:{args.api_port}"
    # cache=false: every search is cold, answered by the airlines, never by the fare cache.
    url = f"{base}/v1/search?origin=LHR&destination=JFK&departure_date={date}&cache=false"
    skyfare = str(Path(sys.executable).with_name("skyfare"))
    runs = []
    with tempfile.TemporaryDirectory() as data_dir:
        airlines = args.airlines.split(",")
        env = _env(args.api_port, args.sim_port, args.airline_ms, data_dir, airlines)
        with (
            process_group([skyfare, "sim"], env, stop_timeout_s=15),
            process_group([skyfare, "serve", "--workers", "1"], env, stop_timeout_s=15),
        ):
            asyncio.run(_wait_ready(f"{base}/healthz"))
            for _ in range(args.runs):
                figures, meta = _one_run(url, args)
                runs.append(figures)
    median = {key: round(statistics.median(r[key] for r in runs), 2) for key in runs[0]}
    result = {
        "what": f"cold GET /v1/search LHR-JFK, airlines {args.airlines} at a fixed latency, "
        "1 worker",
        "command": "python -m bench.cold_search " + " ".join(sys.argv[1:]),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores",
        "python": platform.python_version(),
        "settings": vars(args),
        "median": median,
        "runs": runs,
        "last_meta": meta,
    }
    RESULTS.mkdir(exist_ok=True)
    label = "" if args.airlines == DEFAULT_AIRLINES else "-" + args.airlines.replace(",", "-")
    out = RESULTS / f"{dt.date.today().isoformat()}-cold-search{label}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    _print_summary(median, args)
    print(f"written to {out}")


def _print_summary(m: dict[str, float], args: argparse.Namespace) -> None:
    rows = [
        (f"sequential ({args.searches} searches)", m["p50_ms"], m["p99_ms"]),
        ("over the slowest airline (as configured)",
         m["p50_over_slowest_airline_ms"], m["p99_over_slowest_airline_ms"]),
        ("over the slowest connector (as Skyfare measured it)",
         m["p50_over_slowest_connector_ms"], m["p99_over_slowest_connector_ms"]),
        (f"wrk -t1 -c{args.wrk_connections} {args.wrk_seconds}s: "
         f"{m['wrk_requests_per_s']:.0f} req/s", m.get("wrk_p50_ms"), m.get("wrk_p99_ms")),
    ]  # fmt: skip
    print(f"| cold search, {args.airlines} at {args.airline_ms:g} ms, median of {args.runs} runs "
          "| p50 | p99 |\n|---|---|---|")  # fmt: skip
    for label, p50_ms, p99_ms in rows:
        print(f"| {label} | {p50_ms} ms | {p99_ms} ms |")


if __name__ == "__main__":
    main()
