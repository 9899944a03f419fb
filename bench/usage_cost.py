"""What usage events cost a cached search: usage events on ÷ off, side by side, in one run.

Two API processes share one sim (`skyfare sim`), one PostgreSQL and one Redis (`DATABASE_URL` /
`REDIS_URL` when set, else embedded ones under a temporary directory, started here for both):
`skyfare serve` with usage events on (the default) and the same
with `SKYFARE_USAGE_EVENTS=false`, nothing else different. Both are primed until the same cached
`GET /v1/search` is a fare-cache HIT, then `bench.ceiling.measure_ceiling` drives them in
alternating wrk turns (the order flips each turn) with the "off" process as its baseline: its
`ratio` (median on ÷ median off) is this benchmark's figure, target >= 0.97.

    python -m bench.usage_cost [--port-base 20600] [--turns 3] [--seconds 8] [--json FILE]

Ports: the "on" API on port-base, the "off" API on +2, the sim on +10 (its SMTP sink on +35).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import redis  # the sync client: this harness runs no event loop

from bench.ceiling import _prime, _wait_ready, measure_ceiling
from bench.processes import process_group, shared_servers, wait_listening
from bench.report import emit_json

TARGET = 0.97
# The stream of the "on" process during the run (deleted afterwards): capped small, so a long
# run does not fill Redis with events nobody reads.
STREAM = "bench:usage"


def measure(port_base: int, *, turns: int, seconds: int, connections: int) -> dict[str, Any]:
    with shared_servers(os.environ, prefix="skyfare-usage-") as (settings, data_dir):
        assert settings.database_url is not None
        assert settings.redis_url is not None
        servers = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "SKYFARE_DATA_DIR": data_dir,
        }
        return _measure(servers, port_base, turns=turns, seconds=seconds, connections=connections)


def _measure(
    base: Mapping[str, str], port_base: int, *, turns: int, seconds: int, connections: int
) -> dict[str, Any]:
    env = dict(base)
    env.update(
        SKYFARE_SIM_PORT=str(port_base + 10),
        SKYFARE_LOG_LEVEL="WARNING",
        SKYFARE_USAGE_STREAM=STREAM,
        SKYFARE_USAGE_STREAM_MAXLEN="100000",
    )
    on_env = {**env, "SKYFARE_PORT": str(port_base)}
    off_env = {**env, "SKYFARE_PORT": str(port_base + 2), "SKYFARE_USAGE_EVENTS": "false"}
    skyfare = [sys.executable, "-m", "skyfare.cli"]
    path = "/v1/search?origin=LHR&destination=JFK&departure_date=" + _in_days(30)
    on_url, off_url = (f"http://127.0.0.1:{p}{path}" for p in (port_base, port_base + 2))
    with process_group([*skyfare, "sim"], env):
        wait_listening(port_base + 10)
        with (
            process_group([*skyfare, "serve", "--workers", "1"], on_env),
            process_group([*skyfare, "serve", "--workers", "1"], off_env),
        ):
            _wait_ready(f"http://127.0.0.1:{port_base}/healthz", timeout_s=120)
            _wait_ready(f"http://127.0.0.1:{port_base + 2}/healthz", timeout_s=120)
            _prime(on_url)
            _prime(off_url)
            try:
                result = measure_ceiling(
                    on_url, off_url, turns=turns, seconds=seconds, connections=connections
                )
            finally:
                _delete_stream(env["REDIS_URL"])
    on, off = result["skyfare_rps"], result["baseline_rps"]
    return {
        "usage_on_rps": on,
        "usage_off_rps": off,
        "turn_ratios": result["turn_ratios"],
        "usage_on_median_rps": statistics.median(on),
        "usage_off_median_rps": statistics.median(off),
        "ratio": result["ratio"],
        "target": TARGET,
        "meets_target": result["ratio"] >= TARGET,
        "cpu_us_per_request": {
            "on": result["cpu_us_per_request"]["skyfare"],
            "off": result["cpu_us_per_request"]["baseline"],
        },
        "cpu_ratio": result["cpu_ratio"],
        "non_2xx": result["non_2xx"],
        "wrk": result["wrk"],
        "load_average_before": result["load_average_before"],
        "commit": _commit(),
    }


def _delete_stream(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        client.delete(STREAM)
    finally:
        client.close()


def _in_days(days: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)).isoformat()


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port-base", type=int, default=20600)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    args = parser.parse_args(argv)
    result = measure(
        args.port_base, turns=args.turns, seconds=args.seconds, connections=args.connections
    )
    emit_json(result, args.json)


if __name__ == "__main__":
    main()
