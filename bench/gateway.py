"""Scale figures through the nginx gateway (issue 17), for the capacity plan of deploy/README.md:

    python -m bench.gateway [--runs 3] [--seconds 5] [--connections 64] [--base-port N]

On the processes of bench/gateway_stack.py, in turns (every turn runs each configuration once,
the figure is the median of the turns, so a busy moment of the machine hurts all alike):

- cached search: wrk on one cached `GET /v1/search`, straight to one `search` process, through
  nginx to that one process, and through nginx to two;
- cold search: the same three, each request a route and date of its own with `cache=false`
  (a wrk script), so every request fans out to the six sim airlines (answering in a fixed
  `--airline-latency-ms`);
- booking: `POST /v1/orders` holds (bench/booking_rate.py) straight to `booking` and through nginx.

Reported: requests/s and the ratios (2 processes ÷ 1, gateway ÷ direct), and, steadier on a
shared machine, the CPU seconds each process tree spent per request (the search processes',
nginx's, the sim's), from which the per-core figures of the capacity plan are taken. Writes
`bench/results/<date>-gateway.json` and `.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from bench.ceiling import parse_wrk
from bench.gateway_report import render
from bench.gateway_stack import GatewayBenchStack, running
from bench.machine import available_cpus, describe, short_sha
from bench.traffic import POPULAR

RESULTS = Path(__file__).parent / "results"
CONFIGS = ("direct-1", "gateway-1", "gateway-2")
COLD_DAYS = 200


def _cached_url(base: str, day: dt.date) -> str:
    return f"{base}/v1/search?origin=LHR&destination=JFK&departure_date={day.isoformat()}"


def _cold_script(directory: Path) -> Path:
    """A wrk script sending every request to a route and date of its own, uncached."""
    today = dt.datetime.now(dt.UTC).date()
    paths = [
        f"/v1/search?origin={o}&destination={d}"
        f"&departure_date={(today + dt.timedelta(days=10 + n)).isoformat()}&cache=false"
        for n in range(COLD_DAYS)
        for o, d in POPULAR
    ]
    script = directory / "cold.lua"
    script.write_text(
        "local paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
        "local n = math.random(#paths)\n"
        "request = function()\n  n = n % #paths + 1\n"
        "  return wrk.format('GET', paths[n])\nend\n"
    )
    return script


def _wrk(url: str, seconds: int, connections: int, script: Path | None) -> dict[str, float]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    )
    return parse_wrk(out.stdout)


def _cpu(stack: GatewayBenchStack) -> dict[str, float]:
    return {name: stack.cpu(name) for name in stack.pids}


def _turn(
    stack: GatewayBenchStack, urls: dict[str, str], run: Callable[[str], dict[str, float]]
) -> dict[str, dict[str, float]]:
    """One run of each configuration: its wrk figures and each process tree's CPU per request."""
    found: dict[str, dict[str, float]] = {}
    for config in CONFIGS:
        before = _cpu(stack)
        figures = run(urls[config])
        after = _cpu(stack)
        per = 1e6 / max(1.0, figures["requests"])
        for name in after:
            figures[f"cpu_us_per_request_{name}"] = round((after[name] - before[name]) * per, 1)
        found[config] = figures
    return found


def _booking(stack: GatewayBenchStack, url: str, search_url: str, seconds: int) -> dict[str, float]:
    """Holds for `seconds` (bench/booking_rate.py), and the booking process's CPU per attempt
    (the searches that find the offers first go to `search`, not counted there)."""
    command = [sys.executable, "-m", "bench.booking_rate", "api", "--url", url,
               "--search-url", search_url, "--sim-url", stack.sim_url, "--seconds",
               str(seconds), "--concurrency", "16", "--insecure"]  # fmt: skip
    before = _cpu(stack)
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)
    after = _cpu(stack)
    figures = {k: float(v) for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}
    per = 1e6 / max(1.0, figures["attempts_total"])
    for name in ("booking", "nginx-1"):
        figures[f"cpu_us_per_attempt_{name}"] = round((after[name] - before[name]) * per, 1)
    return figures


def _medians(turns: Sequence[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    return {
        config: {
            key: round(statistics.median(t[config][key] for t in turns), 2)
            for key in turns[0][config]
        }
        for config in turns[0]
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    runs: dict[str, list[dict[str, dict[str, float]]]] = {"cached": [], "cold": [], "booking": []}
    cpus = available_cpus()  # not pinned: every process shares the machine's cores
    machine = msgspec.to_builtins(describe(cpus, cpus, cpus))  # its load average: before
    with (
        running(args.base_port, args.airline_latency_ms) as stack,
        tempfile.TemporaryDirectory() as tmp,
    ):
        day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
        bases = {"direct-1": stack.search_urls[0], "gateway-1": stack.gateway_urls[1],
                 "gateway-2": stack.gateway_urls[2]}  # fmt: skip
        cached = {config: _cached_url(base, day) for config, base in bases.items()}
        for url in cached.values():  # fills the cache (the second search process's L1 too)
            _wrk(url, 2, 4, None)
        script = _cold_script(Path(tmp))
        for _ in range(args.runs):
            runs["cached"].append(
                _turn(stack, cached, lambda u: _wrk(u, args.seconds, args.connections, None))
            )
            runs["cold"].append(
                _turn(stack, bases, lambda u: _wrk(u, args.seconds, args.cold_connections, script))
            )
            runs["booking"].append({
                "direct-1": _booking(stack, stack.booking_url, stack.search_urls[0], args.seconds),
                "gateway-1": _booking(stack, stack.gateway_urls[1], stack.gateway_urls[1],
                                      args.seconds),
            })  # fmt: skip
    medians = {name: _medians(turns) for name, turns in runs.items()}
    return {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "sha": short_sha(),
        "command": " ".join(
            [sys.executable.rsplit("/", 1)[-1], "-m", "bench.gateway", *sys.argv[1:]]
        ),
        "machine": machine,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "plan": vars(args) | {"out": str(args.out)},
        "medians": medians,
        "ratios": _ratios(medians),
        "runs": runs,
    }


def _ratios(medians: dict[str, dict[str, dict[str, float]]]) -> dict[str, float]:
    ratios: dict[str, float] = {}
    for kind in ("cached", "cold"):
        rps = {c: medians[kind][c]["requests_per_s"] for c in CONFIGS}
        ratios[f"{kind}_2_processes_over_1"] = round(rps["gateway-2"] / rps["gateway-1"], 3)
        ratios[f"{kind}_gateway_over_direct"] = round(rps["gateway-1"] / rps["direct-1"], 3)
    booking = medians["booking"]
    ratios["booking_gateway_over_direct"] = round(
        booking["gateway-1"]["orders_per_s"] / max(0.01, booking["direct-1"]["orders_per_s"]), 3
    )
    return ratios


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="turns; figures are their medians")
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk/booking run")
    parser.add_argument("--connections", type=int, default=64, help="wrk -c")
    # Few: each cold search is six calls to the one sim process, which must keep answering
    # within the connectors' timeouts (else the figure measures open circuit breakers).
    parser.add_argument("--cold-connections", type=int, default=8, help="wrk -c, cold search")
    parser.add_argument("--airline-latency-ms", type=float, default=5.0)
    parser.add_argument("--base-port", type=int, help="ports from here (default: free ports)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = measure(args)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{result['date']}-gateway"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=1, default=str) + "\n")
    text = render(result)
    stem.with_suffix(".md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
