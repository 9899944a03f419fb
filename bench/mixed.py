"""Mixed: the locust scenario (`bench/locustfile.py`) headless for a fixed duration.

Runs locust as a child process (it monkey-patches the standard library with gevent, so never in
this process) with `--csv`, then parses its `<prefix>_stats.csv` and `<prefix>_failures.csv`:
requests/s, p50/p95/p99 per endpoint, and the failures. Statistics are reset once every user has
spawned (`--reset-stats`), so ramp-up does not count. Around each run it reads the API's
`/metrics` for the fare cache's price checks (how often a cached price held at re-pricing); with
several API workers a scrape reaches one of them, so the figure is that worker's sample.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import msgspec

from bench.harness_stack import Stack, display, server_cpu
from bench.machine import children_cpu_seconds, pin
from bench.report import Endpoint, Failure, Mixed, MixedRun, PriceChecks, ToolCpu
from bench.stats import median_of

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
USER_CLASSES = ("Traveler", "MetasearchPartner")
AGGREGATED = "Aggregated"
_PRICE_CHECK = re.compile(
    r'^skyfare_cache_price_checks_total\{outcome="(held|changed|gone)"\} ([0-9.eE+]+)$', re.M
)


def parse_stats(text: str) -> tuple[list[Endpoint], Endpoint]:
    """Locust's `_stats.csv`: one `Endpoint` per row, and the aggregate row."""
    rows, total = [], None
    for row in csv.DictReader(io.StringIO(text)):
        endpoint = Endpoint(
            method=row["Type"],
            name=row["Name"],
            requests=int(row["Request Count"]),
            failures=int(row["Failure Count"]),
            rps=round(float(row["Requests/s"]), 2),
            p50=_ms(row["50%"]),
            p95=_ms(row["95%"]),
            p99=_ms(row["99%"]),
            average=round(float(row["Average Response Time"]), 2),
            max=_ms(row["Max Response Time"]),
        )
        if row["Name"] == AGGREGATED:
            total = endpoint
        else:
            rows.append(endpoint)
    if total is None:
        raise ValueError("no Aggregated row in locust's stats")
    return rows, total


def _ms(value: str) -> float:
    return 0.0 if value in ("", "N/A") else round(float(value), 2)


def parse_failures(text: str) -> list[Failure]:
    return [
        Failure(row["Method"], row["Name"], row["Error"], int(row["Occurrences"]))
        for row in csv.DictReader(io.StringIO(text))
    ]


def parse_price_checks(metrics: str) -> PriceChecks:
    """`skyfare_cache_price_checks_total` by outcome, from a Prometheus text exposition."""
    found = {outcome: round(float(value)) for outcome, value in _PRICE_CHECK.findall(metrics)}
    return PriceChecks(**found)


def price_checks_between(before: PriceChecks, after: PriceChecks) -> PriceChecks:
    return PriceChecks(
        held=after.held - before.held,
        changed=after.changed - before.changed,
        gone=after.gone - before.gone,
    )


def _add(a: PriceChecks, b: PriceChecks) -> PriceChecks:
    return PriceChecks(held=a.held + b.held, changed=a.changed + b.changed, gone=a.gone + b.gone)


def scrape_price_checks(url: str) -> PriceChecks | None:
    """The API's price checks so far (None when /metrics does not answer)."""
    try:
        with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
            return parse_price_checks(response.read().decode())
    except (urllib.error.URLError, OSError):
        return None


def median_endpoints(runs: Sequence[MixedRun]) -> tuple[list[Endpoint], Endpoint]:
    """Per endpoint (method, name), the median of each figure over the runs that saw it."""
    keys: list[tuple[str, str]] = []
    for run in runs:
        keys.extend((e.method, e.name) for e in run.endpoints if (e.method, e.name) not in keys)
    rows = []
    for method, name in keys:
        seen = [e for run in runs for e in run.endpoints if (e.method, e.name) == (method, name)]
        rows.append(_median(method, name, seen))
    return rows, _median("", AGGREGATED, [run.total for run in runs])


def _median(method: str, name: str, rows: Sequence[Endpoint]) -> Endpoint:
    numbers = median_of(
        [
            {k: float(v) for k, v in msgspec.structs.asdict(e).items() if not isinstance(v, str)}
            for e in rows
        ]
    )
    return Endpoint(
        method=method,
        name=name,
        requests=round(numbers["requests"]),
        failures=round(numbers["failures"]),
        rps=numbers["rps"],
        p50=numbers["p50"],
        p95=numbers["p95"],
        p99=numbers["p99"],
        average=numbers["average"],
        max=numbers["max"],
    )


def locust_command(
    stack: Stack,
    *,
    users: int,
    spawn_rate: float,
    seconds: int,
    csv_prefix: str,
    partner_key: str,
    classes: Sequence[str] = USER_CLASSES,
) -> list[str]:
    return [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        str(users),
        "-r",
        f"{spawn_rate:g}",
        "-t",
        f"{seconds}s",
        "--reset-stats",
        "--only-summary",
        "--host",
        stack.url,
        "--sim-url",
        stack.sim_url,
        "--partner-key",
        partner_key,
        "--csv",
        csv_prefix,
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "WARNING",
        *classes,
    ]


def measure(
    stack: Stack,
    *,
    users: int,
    spawn_rate: float,
    seconds: int,
    runs: int,
    partner_key: str,
    loadgen_cores: list[int],
    pinned: bool,
) -> tuple[Mixed, list[str]]:
    results: list[MixedRun] = []
    cpu_s = wall_s = 0.0
    server: dict[str, float] = {}
    checks: PriceChecks | None = PriceChecks()
    with tempfile.TemporaryDirectory(prefix="skyfare-bench-locust-") as tmp:
        for index in range(runs):
            prefix = f"{tmp}/run{index}"
            command = locust_command(
                stack,
                users=users,
                spawn_rate=spawn_rate,
                seconds=seconds,
                csv_prefix=prefix,
                partner_key=partner_key,
            )
            started, cpu = time.monotonic(), children_cpu_seconds()
            before, checks_before = stack.cpu(), scrape_price_checks(stack.url)
            subprocess.run(
                command,
                check=True,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=seconds + 120,
            )
            wall_s += time.monotonic() - started
            cpu_s += children_cpu_seconds() - cpu
            checks_after = scrape_price_checks(stack.url)
            if checks is not None and checks_before is not None and checks_after is not None:
                checks = _add(checks, price_checks_between(checks_before, checks_after))
            else:
                checks = None
            for name, seconds_used in stack.cpu().items():
                server[name] = server.get(name, 0.0) + seconds_used - before.get(name, 0.0)
            endpoints, total = parse_stats(Path(f"{prefix}_stats.csv").read_text())
            failures = parse_failures(Path(f"{prefix}_failures.csv").read_text())
            results.append(MixedRun(endpoints, total, failures))
    median, median_total = median_endpoints(results)
    shown = pin(command, loadgen_cores, enabled=pinned)
    shown[shown.index("--partner-key") + 1] = "$PARTNER_KEY"
    shown[shown.index("--csv") + 1] = "mixed"
    mixed = Mixed(
        users=users,
        spawn_rate=spawn_rate,
        duration_s=seconds,
        user_classes=list(USER_CLASSES),
        runs=results,
        median=median,
        median_total=median_total,
        cpu=[
            ToolCpu("locust (load generator)", round(cpu_s, 2), round(wall_s, 2)),
            *server_cpu({}, server, wall_s),
        ],
        price_checks=checks,
    )
    return mixed, [*stack.command, display(shown)]
